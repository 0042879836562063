package spawn

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER of prctl(2).
const prSetChildSubreaper = 36

// BecomeSubreaper makes the calling process a child subreaper: every
// orphaned descendant becomes its child rather than init's, so that Reap
// can end it. A reaper calls it first; on failure Reap still ends the
// program and the descendants that did not leave.
func BecomeSubreaper() error {
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); e != 0 {
		return fmt.Errorf("cannot become a subreaper: %w", e)
	}
	return nil
}

// Reap is the life of a reaper (see Config.Reaper) after its arguments are
// parsed: it runs the program argv[0] with argv in env, in the process
// group the caller leads, and when the program exits kills every
// descendant left and returns the program's status. When the caller's
// parent (the host, whose pid is parent) dies or sigs delivers SIGHUP (a
// forced kill) it kills the program first; other signals on sigs are
// ignored: a SIGTERM while the host lives is the host asking the program to
// stop, and the program, in the same group, has it too.
//
// The caller subscribes sigs to SIGTERM, SIGINT and SIGHUP; this package
// handles no signal itself. Reap blocks until the program and its
// descendants have ended, and locks the calling goroutine to its thread for
// good: the program's parent-death signal (SIGKILL) fires when that thread
// ends. The error is one of starting the program.
func Reap(parent int, argv, env []string, sigs <-chan os.Signal) (syscall.WaitStatus, error) {
	runtime.LockOSThread()
	pid, err := syscall.ForkExec(argv[0], argv, &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		return 0, fmt.Errorf("starting %s: %w", argv[0], err)
	}
	quit, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		watchHost(parent, pid, sigs, quit)
	}()
	status := reapUntil(pid)
	close(quit)
	<-watched
	killDescendants()
	return status, nil
}

// hostPoll is how often the reaper checks that the host is alive, in case
// the parent-death signal does not come: it is sent when the host's thread
// that started the reaper ends, which may be before the host does
// (golang/go#27505), and then not again.
const hostPoll = time.Second

// watchHost kills the program pid on SIGHUP and once the host is gone:
// on the parent-death signal or when the reaper finds it has been
// reparented. Other signals are the host's to send to the program. It
// returns when quit is closed.
func watchHost(host, pid int, sigs <-chan os.Signal, quit <-chan struct{}) {
	tick := time.NewTicker(hostPoll)
	defer tick.Stop()
	for {
		select {
		case <-quit:
			return
		case sig := <-sigs:
			if sig != syscall.SIGHUP && os.Getppid() == host {
				continue
			}
		case <-tick.C:
			if os.Getppid() == host {
				continue
			}
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
		return
	}
}

// reapUntil reaps children until pid exits and returns its status; the other
// children are orphans reparented to the reaper.
func reapUntil(pid int) syscall.WaitStatus {
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(-1, &ws, 0, nil)
		switch {
		case errors.Is(err, syscall.EINTR):
		case err != nil:
			return ws // ECHILD: nothing left to wait for
		case got == pid:
			return ws
		}
	}
}

// killDescendants kills and reaps the reaper's children until it has none.
// Killing one reparents its own children to the reaper, so the next round
// finds them; no event says that a child appeared, so a round that found
// none still running waits a moment and looks again.
func killDescendants() {
	for {
		for _, kid := range children(os.Getpid()) {
			_ = syscall.Kill(kid, syscall.SIGKILL)
		}
		got, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
		switch {
		case errors.Is(err, syscall.EINTR):
		case err != nil:
			return // ECHILD: no child left
		case got == 0:
			time.Sleep(time.Millisecond)
		}
	}
}

// children lists the processes whose parent is pid, from /proc.
func children(pid int) []int {
	dir, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var kids []int
	for _, e := range dir {
		kid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(kid); ok && st.ppid == pid {
			kids = append(kids, kid)
		}
	}
	return kids
}
