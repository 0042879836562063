//go:build !unix

package scripting

import (
	"os"
	"os/exec"
)

var errProcessDone = os.ErrProcessDone

func setProcessGroup(*exec.Cmd) {}

// killGroup kills the child; without process groups there is no gentler
// way to ask.
func killGroup(c *exec.Cmd, _ bool) error {
	return c.Process.Kill()
}
