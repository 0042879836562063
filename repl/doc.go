// Package repl is switchboard's interactive loop: it reads statements,
// evaluates them in a scripting engine (JavaScript or Lua) bound to a socket,
// and prints their results as the language shows values.
//
// On a terminal it edits lines with liner: a history per language kept
// between sessions (in the files the caller names, appended to line by
// line, never truncated), tab completion (globals and members, plugin
// names inside call("…") and after .info, a plugin's method names, the
// fields of a method's input in its payload, file names after .load), a
// "..." continuation prompt while a statement is incomplete, and Ctrl-C to
// drop the line being typed. While a prompt waits, each engine runs its
// timers and callbacks (Engine.Idle, on a goroutine of its own) and the
// socket's events are printed as they arrive: what is printed then goes
// above the line being typed, which liner draws again (Config.Redraw);
// REPL.Writer gives others (the host's log) the same way to the terminal.
// Without a terminal it reads statements line by line, still joining
// incomplete ones, and reports whether any failed. Whatever a plugin
// supplied (names, versions, async values, results, errors, completion
// candidates) is printed through Escape, so that it cannot drive the
// terminal or forge the REPL's lines.
//
// Meta-commands start with a dot: .help, .plugins, .info [-raw] NAME,
// .lang js|lua, .load FILE, .editor, .break, .clear, .save FILE, .exit.
//
// The package reads no flags, environment or signals: the host passes the
// history file, the streams, and calls Interrupt when the user presses Ctrl-C
// during a call.
package repl
