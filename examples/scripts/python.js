// python.js: a workflow with a plugin written in Python with nothing but the
// standard library (examples/plugins/python/plugin.py), which speaks
// JSON-RPC 2.0 (docs/jsonrpc.md). From the root of the repository:
//
//     go run ./host run examples/scripts/python.js
//
// spawn() starts a .py file with python3; to the script it is a plugin like
// any other: calls, async values, errors with their codes, unplug.

require("./jsonrpc_tour.js")("python", "examples/plugins/python/plugin.py", "Python");
