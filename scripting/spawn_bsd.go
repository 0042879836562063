//go:build unix && !linux

package scripting

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the child lead its own process group.
func setProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
