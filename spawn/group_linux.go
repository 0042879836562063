package spawn

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
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(pid); ok && st.pgrp == pgid && st.state != 'Z' {
			return true
		}
	}
	return false
}

// procStat is what the package reads of /proc/PID/stat.
type procStat struct {
	state      byte // R, S, Z...
	ppid, pgrp int
}

// readStat reads the state, parent and process group of pid from
// /proc/PID/stat: the fields after the command name in parentheses (which
// may itself hold any byte).
func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	var st procStat
	if _, err := fmt.Sscanf(string(b[i+1:]), " %c %d %d", &st.state, &st.ppid, &st.pgrp); err != nil {
		return procStat{}, false
	}
	return st, true
}
