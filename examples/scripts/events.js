// events.js: an event-driven workflow. Instead of waiting in line, it
// reacts: the plugin is greeted when it connects, two jobs start at once,
// every progress report is shown as it comes, and the script ends itself with
// exit() once both jobs have answered and reported their last step. serve()
// keeps it alive until then.
//
//     go run ./host run examples/scripts/events.js
//
// Async values reach the socket before the answer of the call that sent them,
// but a script receives them through its event queue, which may run a report
// after the answer's continuation: so the script counts both.

const jobs = { fetch: { answered: false, lastStep: false }, build: { answered: false, lastStep: false } };

function check() {
  if (Object.values(jobs).every((j) => j.answered && j.lastStep)) {
    console.log("all jobs done");
    exit(0);
  }
}

onConnect((info) => {
  console.log(`${info.name} ${info.version} connected, serving ${Object.keys(info.functions || {}).join(", ")}`);
  if (info.name !== "progress") return;
  for (const job of Object.keys(jobs)) {
    callAsync("progress", "Run", { job, steps: 3, delay_ms: job === "fetch" ? 30 : 50 })
      .then((r) => {
        console.log(`${r.job}: answered after ${r.steps} steps`);
        jobs[r.job].answered = true;
        check();
      })
      .catch((e) => {
        console.error(`${job} failed: ${e.message}`);
        exit(1);
      });
  }
});

onAsync((name, p) => {
  console.log(`  ${name}: ${p.job} ${p.step}/${p.of}`);
  if (p.step === p.of) {
    jobs[p.job].lastStep = true;
    check();
  }
});

spawn("examples/plugins/progress");
serve();
