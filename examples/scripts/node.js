// node.js: a workflow with a plugin written in Node with vscode-jsonrpc from
// npm (examples/plugins/node/plugin.js; `npm ci` in its directory first),
// which speaks JSON-RPC 2.0 (docs/jsonrpc.md). From the root of the
// repository:
//
//     go run ./host run examples/scripts/node.js
//
// spawn() starts a .js file with node; to the script it is a plugin like
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
  if (info.name === "node") gone = graceful ? "stopped" : "crashed";
});

spawn("examples/plugins/node/plugin.js");
if (!waitFor("node", "30s")) throw new Error("the Node plugin did not connect");
const info = connected()["node"];
console.log(`+ node ${info.version} connected`);

console.log("node.upper:", call("node", "upper", { text: "hello from node" }).text);
console.log("node.echo:", JSON.stringify(call("node", "echo", { list: [1, "two", null], nested: { ok: true } })));

// Async values come before the answer of the call that sent them.
const steps = [];
const off = onAsync((name, p) => { if (name === "node" && p.step) steps.push(`${p.step}/${p.of}`); });
const n = call("node", "count", 3);
until("the steps", () => steps.length === 3);
off();
console.log(`node.count: ${n}, steps seen: ${steps.join(" ")}`);

for (const method of ["fail", "boom", "nope"]) {
  try {
    call("node", method, "on purpose");
  } catch (e) {
    console.log(`node.${method} threw (${e.code})`);
  }
}
try {
  call("node", "slow", { ms: 60000 }, { timeout: 100 });
} catch (e) {
  console.log(`node.slow threw (${e.code})`);
}

unplug("node");
until("the plugin to go", () => gone !== null);
console.log(`- node disconnected (${gone})`);
console.log("done");
