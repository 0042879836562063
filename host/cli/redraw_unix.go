//go:build unix

package cli

import (
	"os"
	"syscall"
)

// redrawLine asks the REPL's line editor to draw its prompt and the line
// being typed again, after the REPL printed above them: liner redraws on
// SIGWINCH (a window size change), which the process raises to itself.
// SIGWINCH is ignored by default, so it is harmless when no prompt waits.
func redrawLine() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGWINCH)
}
