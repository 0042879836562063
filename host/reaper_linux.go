package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// reapCommand is the hidden first argument that makes the host binary a
// reaper: "switchboard __reap HOSTPID PROGRAM [ARGS...]". The host runs
// every plugin it spawns under one (see scripting.Spawner.SetReaper).
const reapCommand = "__reap"

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER of prctl(2).
const prSetChildSubreaper = 36

// reaper returns how the host re-executes itself as a reaper: the running
// binary, named as the host so that a test binary standing in for it
// dispatches the same way.
func reaper() (path string, argv []string) {
	return "/proc/self/exe", []string{programName, reapCommand, strconv.Itoa(os.Getpid())}
}

// runReaper is the whole life of a reaper. It becomes a child subreaper, so
// that every orphaned descendant of the program becomes its child rather
// than init's, runs the program in the process group it leads, and when
// the program exits kills every descendant left and exits with the
// program's status. When the host dies (the parent-death signal, SIGTERM) or sends
// SIGHUP (a forced kill) it kills the program first. A SIGTERM while the
// host lives is the host asking the program to stop: the program, in the
// same group, has it too.
func runReaper(st *state, args []string) int {
	if len(args) < 2 {
		fmt.Fprintf(st.stderr, "%s %s: want HOSTPID PROGRAM [ARGS...]\n", programName, reapCommand)
		return exitUsage
	}
	host, err := strconv.Atoi(args[0])
	if err != nil || os.Getppid() != host {
		return exitFailed // the host is gone already (or this was not started by it)
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); e != 0 {
		fmt.Fprintf(st.stderr, "%s: reaper: cannot become a subreaper: %v\n", programName, e)
	}
	sigs := make(chan os.Signal, 4)
	// Until now SIGHUP and SIGTERM end the reaper, as they would any Go
	// program, before it has started anything.
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	// The program's parent-death signal fires when the thread that started
	// it ends: keep this goroutine on its thread for the reaper's life.
	runtime.LockOSThread()
	pid, err := syscall.ForkExec(args[1], args[1:], &syscall.ProcAttr{
		Env:   st.environ,
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		fmt.Fprintf(st.stderr, "%s: reaper: starting %s: %v\n", programName, args[1], err)
		return 127
	}
	go watchHost(host, pid, sigs)
	status := reapUntil(pid)
	killDescendants()
	signal.Stop(sigs)
	// The reaper has nothing to flush: it exits at once, without the
	// runtime's exit hooks (a race-enabled build would pause a second in
	// them, which the host's shutdown would wait for).
	syscall.Exit(exitLike(status))
	return 0 // not reached
}

// hostPoll is how often the reaper checks that the host is alive, in case
// the parent-death signal does not come: it is sent when the host's thread
// that started the reaper ends, which may be before the host does
// (golang/go#27505), and then not again.
const hostPoll = time.Second

// watchHost kills the program pid on SIGHUP and once the host is gone:
// on the parent-death signal or when the reaper finds it has been
// reparented. Other signals are the host's to send to the program.
func watchHost(host, pid int, sigs <-chan os.Signal) {
	tick := time.NewTicker(hostPoll)
	defer tick.Stop()
	for {
		select {
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
		if ppid, ok := parentOf(kid); ok && ppid == pid {
			kids = append(kids, kid)
		}
	}
	return kids
}

// parentOf reads the parent of pid from /proc/PID/stat: the fourth field,
// after the command name in parentheses (which may itself hold any byte).
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	var state byte
	var ppid int
	if _, err := fmt.Sscanf(string(b[i+1:]), " %c %d", &state, &ppid); err != nil {
		return 0, false
	}
	return ppid, true
}

// exitLike ends the reaper the way the program ended: with its exit code,
// or by the signal that killed it. The Go runtime dies of SIGHUP, SIGINT
// and SIGTERM as a C program would; it turns other signals into a crash
// report or ignores them, so those are replaced by SIGKILL (the host sees
// a death by signal all the same).
func exitLike(ws syscall.WaitStatus) int {
	if !ws.Signaled() {
		return ws.ExitStatus()
	}
	if sig := ws.Signal(); sig == syscall.SIGHUP || sig == syscall.SIGINT || sig == syscall.SIGTERM {
		signal.Reset(sig)
		// Sent to this thread, the signal is handled as the call returns
		// (one sent to the process could arrive after the SIGKILL below).
		_ = syscall.Tgkill(os.Getpid(), syscall.Gettid(), sig)
	}
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	return 128 + int(syscall.SIGKILL) // not reached
}
