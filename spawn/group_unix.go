//go:build unix

package spawn

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

var errProcessDone = os.ErrProcessDone

// termGroup asks the process group pgid to stop (SIGTERM).
func termGroup(pgid int) error { return signalGroup(pgid, syscall.SIGTERM) }

// killGroup kills the process group pgid (SIGKILL).
func killGroup(pgid int) error { return signalGroup(pgid, syscall.SIGKILL) }

// signalGroup sends sig to the process group pgid; errProcessDone when
// the group is empty.
func signalGroup(pgid int, sig syscall.Signal) error {
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

// stopChild asks the child and its process group to stop (SIGTERM).
func stopChild(c *exec.Cmd) error { return termGroup(c.Process.Pid) }

// killChild kills the child and its process group (SIGKILL).
func killChild(c *exec.Cmd) error { return killGroup(c.Process.Pid) }

// killReaped asks the reaper c to kill its program and every descendant at
// once (SIGHUP; see Config.Reaper).
func killReaped(c *exec.Cmd) error {
	err := syscall.Kill(c.Process.Pid, syscall.SIGHUP)
	if errors.Is(err, syscall.ESRCH) {
		return errProcessDone
	}
	return err
}
