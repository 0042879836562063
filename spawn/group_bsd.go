//go:build unix && !linux

package spawn

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the child lead its own process group. There is no
// parent-death signal here, for a reaper or not.
func setProcessGroup(c *exec.Cmd, _ bool) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// groupRunning reports whether the group pgid has a member left (zombies
// included: there is no portable way to tell them apart).
func groupRunning(pgid int) bool { return groupAlive(pgid) }
