package cli

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/switchboard-rpc/switchboard/spawn"
)

// reapCommand is the hidden first argument that makes the host binary a
// reaper: "switchboard __reap HOSTPID PROGRAM [ARGS...]". The host runs
// every plugin it spawns under one (see spawn.Config.Reaper).
const reapCommand = "__reap"

// reaper returns how the host re-executes itself as a reaper (a
// spawn.Config.Reaper): the running binary, named as the host so that a
// test binary standing in for it dispatches the same way.
func reaper() []string {
	return []string{"/proc/self/exe", programName, reapCommand, strconv.Itoa(os.Getpid())}
}

// runReaper is the whole life of a reaper: it checks that the host that
// started it is its parent, becomes a child subreaper, subscribes to the
// signals spawn.Reap acts on and runs the program under it, then ends the
// way the program ended. Until the subscription SIGHUP and SIGTERM end the
// reaper, as they would any Go program, before it has started anything.
func runReaper(st *state, args []string) int {
	if len(args) < 2 {
		fmt.Fprintf(st.stderr, "%s %s: want HOSTPID PROGRAM [ARGS...]\n", programName, reapCommand)
		return exitUsage
	}
	host, err := strconv.Atoi(args[0])
	if err != nil || os.Getppid() != host {
		return exitFailed // the host is gone already (or this was not started by it)
	}
	if err := spawn.BecomeSubreaper(); err != nil {
		fmt.Fprintf(st.stderr, "%s: reaper: %v\n", programName, err)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	status, err := spawn.Reap(host, args[1:], st.environ, sigs)
	if err != nil {
		fmt.Fprintf(st.stderr, "%s: reaper: %v\n", programName, err)
		return 127
	}
	signal.Stop(sigs)
	// The reaper has nothing to flush: it exits at once, without the
	// runtime's exit hooks (a race-enabled build would pause a second in
	// them, which the host's shutdown would wait for).
	syscall.Exit(exitLike(status))
	return 0 // not reached
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
