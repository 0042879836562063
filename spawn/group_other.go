//go:build !unix

package spawn

import (
	"os"
	"os/exec"
)

var errProcessDone = os.ErrProcessDone

func setProcessGroup(*exec.Cmd, bool) {}

// killGroup kills the child; without process groups there is no gentler
// way to ask.
func killGroup(c *exec.Cmd, _ bool) error {
	return c.Process.Kill()
}

// signalGroup does nothing: there are no process groups here, and a child
// is reached through killGroup.
func signalGroup(int, bool) error { return errProcessDone }

// groupAlive reports false: without process groups nothing is tracked
// beyond the child itself.
func groupAlive(int) bool { return false }

// groupRunning reports false, as groupAlive does.
func groupRunning(int) bool { return false }

// killReaped kills the child: there is no reaper here.
func killReaped(c *exec.Cmd, force bool) error { return killGroup(c, force) }
