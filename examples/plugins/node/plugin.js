// A switchboard plugin in Node, written with vscode-jsonrpc (from npm; run
// `npm ci` in this directory first) and no SDK of switchboard's. It connects
// to SWITCHBOARD_ADDR ("host:port" or "unix:/path"), which the host sets when
// it spawns the plugin, and speaks JSON-RPC 2.0 with Content-Length headers,
// vscode-jsonrpc's framing (docs/jsonrpc.md):
//
//     switchboard run examples/scripts/node.js
//
// Every handler gets the call's payload as its first argument and a
// cancellation token, which the host's $/cancelRequest cancels with no code
// here. Methods: echo, upper, count (async values, then the count), fail (an
// error of the plugin's own), boom (an exception: the host reports a panic),
// slow (says it started, then waits until cancelled or {ms} pass).
"use strict";

const net = require("node:net");
const rpc = require("vscode-jsonrpc/node");

const addr = process.env.SWITCHBOARD_ADDR;
if (!addr) {
  console.error("SWITCHBOARD_ADDR is not set: run this plugin from switchboard");
  process.exit(1);
}

const any = { type: "any" };
const text = { type: "struct", fields: [{ name: "text", type: "string", mandatory: true }] };
const functions = {
  echo: { input: any, output: any },
  upper: { input: text, output: text },
  count: { input: { type: "int" }, output: { type: "int" } },
  fail: { input: { type: "string" } },
  boom: { input: { type: "string" } },
  slow: { input: { type: "struct", fields: [{ name: "ms", type: "int" }] }, output: { type: "string" } },
};

const socket = addr.startsWith("unix:")
  ? net.connect(addr.slice("unix:".length))
  : net.connect(Number(addr.slice(addr.lastIndexOf(":") + 1)), addr.slice(0, addr.lastIndexOf(":")).replace(/^\[|\]$/g, ""));

// The reader counts the requests read and the writer the answers written,
// so that the plugin closes only once every call has been answered (see
// $/stop below).
let requests = 0;
let answered = 0;
let stopping = false;
class CountingReader extends rpc.SocketMessageReader {
  listen(callback) {
    return super.listen((msg) => {
      if (msg.id !== undefined && "method" in msg) requests++;
      callback(msg);
    });
  }
}
class CountingWriter extends rpc.SocketMessageWriter {
  async write(msg) {
    await super.write(msg);
    if (msg.id !== undefined && !("method" in msg)) {
      answered++;
      if (stopping && answered === requests) close();
    }
  }
}

const conn = rpc.createMessageConnection(new CountingReader(socket), new CountingWriter(socket));

conn.onRequest("echo", (value) => value);
conn.onRequest("upper", (value) => ({ text: value.text.toUpperCase() }));
conn.onRequest("count", async (n) => {
  for (let i = 1; i <= n; i++) await conn.sendNotification("$/async", { step: i, of: n });
  return n;
});
conn.onRequest("fail", (message) => { throw new rpc.ResponseError(-32000, message); });
conn.onRequest("boom", (message) => { throw new Error(message); });
conn.onRequest("slow", (value, token) => new Promise((resolve) => {
  conn.sendNotification("$/async", { started: "slow" });
  const timer = setTimeout(() => resolve("done"), (value && value.ms) || 60000);
  token.onCancellationRequested(() => {
    clearTimeout(timer);
    conn.sendNotification("$/async", { cancelled: "slow" });
    resolve("cancelled");
  });
}));

// $/stop: finish what is in flight, then close.
function close() {
  conn.dispose();
  socket.end();
}
conn.onNotification("$/stop", () => {
  stopping = true;
  if (answered === requests) close();
});
socket.on("close", () => process.exit(0));

conn.listen();
conn.sendRequest("register", {
  name: "node",
  version: "1.0",
  token: process.env.SWITCHBOARD_TOKEN || "",
  functions,
  capabilities: ["cancel"],
}).catch((err) => {
  console.error(`switchboard refused the plugin: ${err.message}`);
  process.exit(1);
});
