// Package lua is the Lua engine of switchboard scripts: gopher-lua (Lua
// 5.1) on the event loop of package scripting.
//
// Globals: call, broadcast, onAsync, onConnect, onDisconnect (each returns
// an unsubscribe function), waitFor, connected, info, unplug, spawn (a
// handle table with pid, name, wait and kill, usable as h.wait() and
// h:wait()), sleep, serve (blocks until exit(), a signal or host shutdown),
// exit (also os.exit), print (to Config.Stdout), the standard libraries,
// the json module (json.encode, json.decode, json.null, json.array([t]);
// also require("json")), and the script's arguments in the table arg
// (arg[0] is the script) and as the chunk's varargs, as the lua command has
// them. require also searches the script's directory.
//
// Values: a table whose keys are exactly 1..n, or that json.array marked,
// converts to a JSON array; any other table to an object (an empty table
// to {}), its keys strings or numbers. JSON null is json.null inside
// structures and nil at the top. Numbers are float64: integers up to 2^53
// are exact. Cycles, functions, userdata and NaN are errors, never a hang.
// Arrays that come from JSON are marked, so they convert back to arrays.
//
// Bounds (limits.go): string.rep, string.gsub and table.concat build at
// most MaxStringBytes, string.gsub and string.gmatch find at most
// MaxMatches, coroutines resume one another at most MaxCoroutineDepth deep,
// and pcalls nest as deep at most; past any, an error pcall catches.
//
// pcall and xpcall are the engine's (pcall.go), working around
// yuin/gopher-lua#448: gopher-lua's own detach closures from the locals of
// functions still running when they catch an error. The protected function
// runs on a Lua state of its own; coroutine.yield inside it is an error, as
// in Lua 5.1, and error's level counts as in Lua 5.1.
//
// A failing binding raises an error value that pcall catches: a table with
// message, code, plugin, method and where ("file:line: "), which prints
// (tostring, ..) as "file:line: plugin.method: cause". An uncaught error
// ends the run with a *scripting.ScriptError naming the file and line.
package lua
