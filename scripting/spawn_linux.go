package scripting

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// setProcessGroup makes the child lead its own process group and die with
// the host; a reaper gets SIGTERM instead, which it catches to end what it
// supervises.
func setProcessGroup(c *exec.Cmd, reaper bool) {
	sig := syscall.SIGKILL
	if reaper {
		sig = syscall.SIGTERM
	}
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: sig}
}

// groupRunning reports whether a process of the group pgid still runs. A
// killed orphan stays in its group as a zombie until init reaps it, which
// may take a while; zombies do not count.
func groupRunning(pgid int) bool {
	if !groupAlive(pgid) {
		return false
	}
	dir, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	for _, e := range dir {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// After the command name in parentheses: state, ppid, pgrp.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		var (
			state      byte
			ppid, pgrp int
		)
		if _, err := fmt.Sscanf(string(b[i+1:]), " %c %d %d", &state, &ppid, &pgrp); err == nil &&
			pgrp == pgid && state != 'Z' {
			return true
		}
	}
	return false
}
