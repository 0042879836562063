//go:build !unix

package cli

// redrawLine does nothing where liner does not redraw on a signal: what
// the REPL prints above the prompt stays, and the line being typed
// reappears at the next key.
func redrawLine() {}
