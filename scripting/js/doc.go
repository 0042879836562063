// Package js is the JavaScript engine of switchboard scripts: goja, with
// console and require from goja_nodejs, on the event loop of package
// scripting.
//
// Globals: call, callAsync, broadcast, broadcastAsync (the Async forms
// return Promises), onAsync, onConnect, onDisconnect (each returns an
// unsubscribe function), waitFor, connected, info, unplug, spawn (a handle
// with pid, name, wait() and kill()), sleep, serve, exit, setTimeout,
// clearTimeout, setInterval, clearInterval, console, require and args (the
// script's arguments).
//
// Values cross to plugins as JSON.stringify makes them and come back as
// JSON.parse makes them: plain objects and arrays. A failing call throws an
// Error with plugin, method and code properties (see package scripting for
// the codes). An uncaught exception or a promise rejected without a handler
// ends the run with a *scripting.ScriptError naming the file and line.
//
// console prints objects as JSON and errors with their stack, without
// timestamps: log and info to Config.Stdout, warn and error to
// Config.Stderr. require loads CommonJS modules (.js, .json, directories
// with index.js or package.json) relative to the requiring file.
//
// TypeScript (.ts, .mts) and ES modules (.mjs, and .js files that import,
// export or await at their top level) are bundled with esbuild, with the
// local files they import, before goja runs them (bundle.go); goja gets
// the bundle's source map, so stacks name the original files, lines and
// columns (sourcemap.go), and a top-level await runs the bundle as an
// async function body (module.go). Nothing is type-checked.
//
// Bounds (limits.go): the call stack (MaxCallStack), generators resuming
// one another (MaxGeneratorDepth), and the size of what one builtin call
// builds (MaxStringLength, MaxArrayLength, MaxBufferBytes: repeat,
// padStart, padEnd, replace, replaceAll, split, join, fill, Array.from, apply, ArrayBuffer and
// the typed arrays) and JSON.parse's nesting; and how deeply source nests
// its brackets (MaxSourceDepth, depth.go): files, modules, REPL entries,
// and the text of eval and Function, measured before goja or esbuild
// parses it. Past the call stack the run ends (goja makes that error
// uncatchable); past the others a RangeError or SyntaxError is thrown
// that the script can catch (a file too deep is a SyntaxError at its
// line). eval and the Function constructors are checked stand-ins
// (evalguard.go), so every eval is indirect: it runs in the global scope.
//
// Two choices differ from Node. serve() returns at once and keeps the loop
// alive until exit(), as a Node server's listen() does, so that promise
// continuations go on running. sleep(), waitFor() and a handle's wait()
// block and run queued events and timers meanwhile, but promise
// continuations (then callbacks, code after await) only run once the
// JavaScript stack has unwound: goja runs its job queue only then.
package js
