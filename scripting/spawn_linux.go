package scripting

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the child lead its own process group and die with
// the host.
func setProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
