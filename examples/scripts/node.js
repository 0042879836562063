// node.js: a workflow with a plugin written in Node with vscode-jsonrpc from
// npm (examples/plugins/node/plugin.js; `npm ci` in its directory first),
// which speaks JSON-RPC 2.0 (docs/jsonrpc.md). From the root of the
// repository:
//
//     go run ./host run examples/scripts/node.js
//
// spawn() starts a .js file with node; to the script it is a plugin like
// any other: calls, async values, errors with their codes, unplug.

require("./jsonrpc_tour.js")("node", "examples/plugins/node/plugin.js", "Node");
