// python.js: a workflow with a plugin written in Python with nothing but the
// standard library (examples/plugins/python/plugin.py), which speaks
// JSON-RPC 2.0 (docs/jsonrpc.md). From the root of the repository:
//
//     go run ./host run examples/scripts/python.js
//
// spawn() starts a .py file with python3; to the script it is a plugin like
// any other: calls, async values, errors with their codes, unplug.

// until lets event handlers run (sleep does) until done() is true.
function until(what, done, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    sleep(10);
  }
}

let gone = null;
onDisconnect((info, graceful) => {
  if (info.name === "python") gone = graceful ? "stopped" : "crashed";
});

spawn("examples/plugins/python/plugin.py");
if (!waitFor("python", "30s")) throw new Error("the Python plugin did not connect");
const info = connected()["python"];
console.log(`+ python ${info.version} connected`);

console.log("python.upper:", call("python", "upper", { text: "hello from python" }).text);
console.log("python.echo:", JSON.stringify(call("python", "echo", { list: [1, "two", null], nested: { ok: true } })));

// Async values come before the answer of the call that sent them.
const steps = [];
const off = onAsync((name, p) => { if (name === "python" && p.step) steps.push(`${p.step}/${p.of}`); });
const n = call("python", "count", 3);
until("the steps", () => steps.length === 3);
off();
console.log(`python.count: ${n}, steps seen: ${steps.join(" ")}`);

for (const method of ["fail", "boom", "nope"]) {
  try {
    call("python", method, "on purpose");
  } catch (e) {
    console.log(`python.${method} threw (${e.code})`);
  }
}
try {
  call("python", "slow", { ms: 60000 }, { timeout: 100 });
} catch (e) {
  console.log(`python.slow threw (${e.code})`);
}

unplug("python");
until("the plugin to go", () => gone !== null);
console.log(`- python disconnected (${gone})`);
console.log("done");
