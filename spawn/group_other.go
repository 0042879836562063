//go:build !unix

package spawn

import (
	"os"
	"os/exec"
)

var errProcessDone = os.ErrProcessDone

func setProcessGroup(*exec.Cmd, bool) {}

// termGroup and killGroup do nothing: there are no process groups here,
// and a child is reached through stopChild and killChild.
func termGroup(int) error { return errProcessDone }

func killGroup(int) error { return errProcessDone }

// groupAlive reports false: without process groups nothing is tracked
// beyond the child itself.
func groupAlive(int) bool { return false }

// groupRunning reports false, as groupAlive does.
func groupRunning(int) bool { return false }

// stopChild kills the child; without process groups there is no gentler
// way to ask.
func stopChild(c *exec.Cmd) error { return c.Process.Kill() }

// killChild kills the child.
func killChild(c *exec.Cmd) error { return c.Process.Kill() }

// killReaped kills the child: there is no reaper here.
func killReaped(c *exec.Cmd) error { return killChild(c) }
