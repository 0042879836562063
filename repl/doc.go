// Package repl is switchboard's interactive loop: it reads statements,
// evaluates them in a scripting engine (JavaScript or Lua) bound to a socket,
// and prints their results as indented JSON.
//
// On a terminal it edits lines with liner: history kept between sessions (in
// the file the caller names, appended to line by line), tab completion of globals, of plugin names
// inside call("…") and of a plugin's method names, a "..." continuation
// prompt while a statement is incomplete, and Ctrl-C to drop the line being
// typed. Events from the socket (async values, plugins connecting and
// disconnecting) are printed before the next prompt, never into the line
// being typed. Without a terminal it reads statements line by line, still
// joining incomplete ones, and reports whether any failed. Whatever a plugin
// supplied (names, versions, async values, results, errors, completion
// candidates) is printed through Escape, so that it cannot drive the
// terminal or forge the REPL's lines.
//
// Meta-commands start with a dot: .help, .plugins, .info NAME, .lang js|lua,
// .load FILE, .exit.
//
// The package reads no flags, environment or signals: the host passes the
// history file, the streams, and calls Interrupt when the user presses Ctrl-C
// during a call.
package repl
