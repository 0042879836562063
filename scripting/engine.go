package scripting

import "context"

// Engine is one scripting language over a Runtime: scripting/js and
// scripting/lua implement it. Its methods are not safe for concurrent use:
// call them from one goroutine at a time (the script's), and Close after
// the last RunFile, Eval or Drain has returned. To stop a running script
// from another goroutine, cancel its context (or close the Runtime).
type Engine interface {
	// Lang returns "js" or "lua".
	Lang() string
	// RunFile runs the script at path with args (args in JS, arg in Lua)
	// to the end of its top level, then runs the loop until nothing keeps
	// it alive: no timer, no pending promise or call, no serve(). It
	// returns nil, an *ExitError after exit(), a *ScriptError for an
	// uncaught error, or an error wrapping ctx's error when ctx ends.
	RunFile(ctx context.Context, path string, args []string) error
	// Eval runs one REPL entry and returns its value as the REPL shows
	// it: Node's REPL's way in JavaScript ("" for undefined), readable
	// Lua values one a line ("" for an entry with no values); see the
	// engines' Inspect. Errors are as RunFile's; a *ScriptError from Eval
	// has no stack, so that it prints on one line.
	Eval(ctx context.Context, src string) (string, error)
	// Incomplete reports whether src is an unfinished statement that more
	// lines could complete (an open brace, an unfinished function).
	Incomplete(src string) bool
	// Globals returns the names of the script globals, for completion.
	Globals() []string
	// Drain runs the queued events and due timers now, without blocking
	// (a REPL calls it between prompts). Errors in callbacks are printed
	// to the runtime's Stderr; an exit() there makes the next Eval return
	// the *ExitError.
	Drain()
	// Idle runs the queued events and timers as they come due until ctx
	// is done (a REPL calls it while it waits for input), printing errors
	// in callbacks to the runtime's Stderr; it returns the *ExitError of
	// an exit() at once. It blocks.
	Idle(ctx context.Context) error
	// Close releases the interpreter and ends its subscriptions. It does
	// not close the Runtime.
	Close() error
}
