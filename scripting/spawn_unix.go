//go:build unix

package scripting

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

var errProcessDone = os.ErrProcessDone

// killGroup signals the child's process group: SIGKILL when force is
// true, SIGTERM otherwise.
func killGroup(c *exec.Cmd, force bool) error {
	sig := syscall.SIGTERM
	if force {
		sig = syscall.SIGKILL
	}
	err := syscall.Kill(-c.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return errProcessDone
	}
	return err
}
