//go:build unix

package spawn

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

var errProcessDone = os.ErrProcessDone

// signalGroup signals the process group pgid: SIGKILL when force is true,
// SIGTERM otherwise.
func signalGroup(pgid int, force bool) error {
	sig := syscall.SIGTERM
	if force {
		sig = syscall.SIGKILL
	}
	err := syscall.Kill(-pgid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return errProcessDone
	}
	return err
}

// groupAlive reports whether the process group pgid has a member left.
func groupAlive(pgid int) bool {
	return !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}

// killGroup signals the child's process group: SIGKILL when force is
// true, SIGTERM otherwise.
func killGroup(c *exec.Cmd, force bool) error {
	return signalGroup(c.Process.Pid, force)
}

// killReaped asks the reaper c to kill its program and every descendant at
// once (SIGHUP; see Config.Reaper).
func killReaped(c *exec.Cmd, _ bool) error {
	err := syscall.Kill(c.Process.Pid, syscall.SIGHUP)
	if errors.Is(err, syscall.ESRCH) {
		return errProcessDone
	}
	return err
}
