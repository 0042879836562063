// Package scripting is the engine-neutral binding layer between scripts and
// the socket, and the event loop the JavaScript (scripting/js) and Lua
// (scripting/lua) engines share.
//
// # Layers
//
// A Runtime wraps one *socket.Socket. Its methods are the script API —
// Call, CallAsync, Broadcast, BroadcastAsync, OnAsync, OnConnect,
// OnDisconnect, WaitFor, Connected, Info, Unplug, Spawn, Sleep, Serve —
// with values as JSON bytes, so that an engine only converts its own values
// to and from JSON and maps errors. An Engine (the interface both engines
// implement) runs files and REPL entries on top of it.
//
//	sock, _ := socket.New()
//	rt := scripting.New(sock, scripting.Config{Stdout: os.Stdout, Stderr: os.Stderr})
//	defer rt.Close()
//	eng, _ := js.New(rt) // or lua.New(rt)
//	defer eng.Close()
//	err := eng.RunFile(ctx, "workflow.js", args)
//
// # The loop
//
// Each script runs on one goroutine, driven by a Loop: queued tasks, timers,
// and reserved slots for outstanding Go work. A binding that starts Go work
// (a callAsync, a waitFor) first calls Loop.Reserve on the script's
// goroutine and gets back a function that the Go side calls exactly once,
// from any goroutine, with the callback that hands the result back; the
// callback runs on the script's goroutine. Loop.Run ends when no task is
// queued, no slot is reserved, no timer is scheduled and nothing holds the
// loop (JavaScript's serve()). Socket events (async values, connects,
// disconnects) are posted with Loop.PostEvent into a queue bounded in bytes
// and taken a batch at a time, so an idle script keeps up with any burst:
// they never block the socket, do not keep the loop alive, and past the
// bound (Config.EventMemory, 64 MiB by default) the oldest are dropped,
// counted (Runtime.Dropped, dropped() in scripts) and logged once per burst.
//
// Callbacks run only inside Loop.Run, Loop.RunUntil and Loop.Drain, never
// concurrently with the script. A synchronous call blocks without running
// the loop, so events that arrive meanwhile are delivered after it returns,
// in order; sleep, waitFor, serve and a spawned process's wait run the loop
// while they wait, also when called from inside a callback.
//
// # Lifetime and cancellation
//
// Each RunFile or Eval runs in a Scope: its context ends when the caller's
// context ends (host shutdown, Ctrl-C in the REPL), when the Runtime is
// closed, when the script calls exit() (RunFile and Eval then return an
// *ExitError), or when an uncaught error ends it (a *ScriptError, whose
// Error() starts with "file:line: "). The end of the context interrupts the
// interpreter (goja's Interrupt, gopher-lua's SetContext) and cancels the
// calls in flight.
//
// Runtime.CancelCalls is the gentler way a host interrupts a script (on its
// first signal): the calls fail with code canceled but the interpreter goes
// on, so the script's catch, finally and pcall code runs, and the loop still
// delivers what was pending (a rejected callAsync). The host then cancels
// the context when the script's grace period is over.
//
// # Errors thrown to scripts
//
// A failing binding throws (JavaScript) or raises (Lua) an error with the
// properties plugin, method and code; Code classifies a Go error with
// errors.Is on the socket's sentinels:
//
//	not_connected     no plugin of that name (socket.ErrPluginNotFound)
//	exited            no plugin of that name, and its tracked process has
//	                  exited for good (spawn.ErrExited; see Runtime.Track)
//	method_not_found  the plugin does not serve the method
//	panic             the plugin's method panicked
//	timeout           the call's timeout expired (context.DeadlineExceeded)
//	canceled          the script, REPL line or host was cancelled
//	disconnected      the plugin went away before it answered
//	shutdown          the socket or the plugin is shutting down
//	remote            the plugin's method returned an error of its own
//	bad_argument      the script passed something unusable (ErrBadArgument),
//	                  or a request past the message limit (socket.ErrMessageTooLarge)
//	bad_response      the plugin's answer is not JSON the bindings convert (ErrBadResponse)
//	error             anything else
//
// # Spawned plugins
//
// Runtime.Spawn starts plugin programs through a spawn.Spawner of the
// Runtime's own, with SWITCHBOARD_ADDR and SWITCHBOARD_TOKEN (from
// Config.Addr and Config.Token) in their environment, and Runtime.Close
// stops them; package spawn says how they are supervised (output logged
// under their name, process groups, restarts). Config.Env adds variables
// for every child (a host serving TLS passes SWITCHBOARD_CA). In scripts,
// spawn(cmd, args, {restart: "on-failure", maxRestarts: n}) takes the
// restart policy of spawn.Options. The Runtime tracks each process under
// its name (Runtime.Track; a host tracks the plugins it started itself):
// WaitFor of that name ends as soon as the process has exited for good
// without the plugin connected, and a call that finds the plugin not
// connected says how the process ended, with its last lines of output,
// both with code exited.
package scripting
