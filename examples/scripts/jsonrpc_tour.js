// jsonrpc_tour.js: the tour that node.js and python.js take, one plugin
// written in another language, spoken to over JSON-RPC 2.0
// (docs/jsonrpc.md): calls, async values before the answer that follows
// them, errors with their codes, a timeout, unplug.

// until lets event handlers run (sleep does) until done() is true.
function until(what, done, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    sleep(10);
  }
}

// tour spawns the plugin file, which registers as name (label is how the
// messages call it), and walks it through the tour, printing each step.
module.exports = function tour(name, file, label) {
  let gone = null;
  onDisconnect((info, graceful) => {
    if (info.name === name) gone = graceful ? "stopped" : "crashed";
  });

  spawn(file);
  if (!waitFor(name, "30s")) throw new Error(`the ${label} plugin did not connect`);
  const info = connected()[name];
  console.log(`+ ${name} ${info.version} connected`);

  console.log(`${name}.upper:`, call(name, "upper", { text: `hello from ${name}` }).text);
  console.log(`${name}.echo:`, JSON.stringify(call(name, "echo", { list: [1, "two", null], nested: { ok: true } })));

  // Async values come before the answer of the call that sent them.
  const steps = [];
  const off = onAsync((name, p) => { if (name === name && p.step) steps.push(`${p.step}/${p.of}`); });
  const n = call(name, "count", 3);
  until("the steps", () => steps.length === 3);
  off();
  console.log(`${name}.count: ${n}, steps seen: ${steps.join(" ")}`);

  for (const method of ["fail", "boom", "nope"]) {
    try {
      call(name, method, "on purpose");
    } catch (e) {
      console.log(`${name}.${method} threw (${e.code})`);
    }
  }
  try {
    call(name, "slow", { ms: 60000 }, { timeout: 100 });
  } catch (e) {
    console.log(`${name}.slow threw (${e.code})`);
  }

  unplug(name);
  until("the plugin to go", () => gone !== null);
  console.log(`- ${name} disconnected (${gone})`);
  console.log("done");
};
