// quickstart.js: a tour of switchboard in one workflow. From the root of
// the repository:
//
//     go run ./host run examples/scripts/quickstart.js
//
// It spawns the example plugins itself. They are Go package directories:
// switchboard builds each with `go build` into a temporary directory first
// (and says so), then starts the binaries with the socket's address in their
// environment. The workflow calls one plugin, calls two at once, broadcasts
// to all, follows a job's progress through async values, sees failures
// thrown as errors, and watches plugins go away, politely and not. It exits
// with status 0; add -log-level info to see the plumbing.

const plugins = ["echo", "progress", "kv", "chaos"];

onConnect((info) => console.log(`+ ${info.name} ${info.version} connected`));
onDisconnect((info, graceful) =>
  console.log(`- ${info.name} disconnected (${graceful ? "stopped" : "crashed"})`));

for (const name of plugins) spawn(`examples/plugins/${name}`);
for (const name of plugins) {
  if (!waitFor(name, "60s")) throw new Error(`${name} did not connect`);
}

// until lets event handlers run (sleep does) until done() is true. A
// promise that only an event settles would not keep the script alive.
function until(what, done, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    sleep(10);
  }
}

async function main() {
  // One plugin, one method: the result is a plain object.
  console.log("echo.Upper:", call("echo", "Upper", { text: "hello, switchboard" }).text);

  // Calls in parallel: callAsync returns a promise.
  const [rev, keys] = await Promise.all([
    callAsync("echo", "Reverse", { text: "stressed" }),
    callAsync("kv", "Keys"),
  ]);
  console.log("echo.Reverse:", rev.text, "| kv.Keys before:", JSON.stringify(keys));

  // A key-value store that outlives the calls.
  call("kv", "Set", { key: "answer", value: 42 });
  call("kv", "Set", { key: "plugins", value: plugins });
  console.log("kv.Get answer:", call("kv", "Get", { key: "answer" }).value);
  console.log("kv.Keys:", JSON.stringify(call("kv", "Keys")));

  // Broadcast: every plugin gets the request, in parallel; the ones that do
  // not serve the method answer with an error.
  const b = broadcast("Echo", { text: "anyone there?" });
  console.log("broadcast Echo results:", JSON.stringify(b.results));
  console.log("broadcast Echo errors from:", Object.keys(b.errors).sort().join(", "));

  // Async values: the progress plugin reports every step before it answers.
  let steps = 0;
  const off = onAsync((name, p) => {
    if (name !== "progress") return;
    console.log(`progress: ${p.job} step ${p.step}/${p.of}`);
    steps = p.step;
  });
  const result = call("progress", "Run", { job: "build", steps: 3, delay_ms: 20 });
  until("the progress reports", () => steps === 3);
  off();
  console.log("progress.Run:", JSON.stringify(result));

  // Failures throw, with the plugin, the method and a code.
  for (const [method, payload, opts] of [
    ["Fail", { message: "on purpose" }],
    ["Panic", { message: "on purpose" }],
    ["Hang", { ms: 0 }, { timeout: 100 }],
  ]) {
    try {
      call("chaos", method, payload, opts);
    } catch (e) {
      console.log(`chaos.${method} threw (${e.code}): ${e.message}`);
    }
  }

  // A graceful disconnect: unplug asks the plugin to stop.
  const gone = {};
  const offGone = onDisconnect((info, graceful) => { gone[info.name] = graceful; });
  unplug("kv");
  until("kv to go", () => "kv" in gone);
  console.log("kv unplugged, graceful:", gone.kv);

  // A crash: the call fails and onDisconnect reports graceful = false.
  try {
    call("chaos", "Crash", { code: 3 });
  } catch (e) {
    console.log(`chaos.Crash threw (${e.code})`);
  }
  until("chaos to go", () => "chaos" in gone);
  console.log("chaos crashed, graceful:", gone.chaos);
  offGone();

  console.log("still connected:", Object.keys(connected()).sort().join(", "));
  console.log("done: the host stops the plugins it spawned");
}

main();
