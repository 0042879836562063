package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// signals relays SIGINT, SIGTERM and SIGHUP (the terminal closed, handled
// like SIGTERM) to the host while a command runs. Make it with
// watchSignals; stop ends it.
type signals struct {
	st       *state
	ch       chan os.Signal
	quit     chan struct{}
	done     chan struct{}
	handle   func(os.Signal) bool
	shutdown func(os.Signal)
	stopNow  func()

	mu     sync.Mutex
	first  os.Signal // the first signal not consumed, nil before
	atExit []func()
	out    io.Writer // where the messages go: st.stderr, or the REPL's screen
}

// watchSignals relays signals until stop is called. For each signal it
// calls handle (may be nil), which reports whether the signal was consumed
// (the REPL cancelling a call in flight); the first signal not consumed
// calls shutdown with it, on the relaying goroutine. The next one calls
// stopNow, runs what atExit registered (removing temporary files) and ends
// the process at once, with the status of the first (see exitCode).
func (st *state) watchSignals(handle func(os.Signal) bool, shutdown func(os.Signal), stopNow func()) *signals {
	s := &signals{
		st: st, ch: make(chan os.Signal, 3), quit: make(chan struct{}), done: make(chan struct{}),
		handle: handle, shutdown: shutdown, stopNow: stopNow, out: st.stderr,
	}
	st.notify(s.ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go s.relay()
	return s
}

func (s *signals) relay() {
	defer close(s.done)
	for {
		select {
		case sig := <-s.ch:
			if s.handle != nil && s.handle(sig) {
				continue
			}
			s.mu.Lock()
			first, out := s.first, s.out
			if first == nil {
				s.first = sig
			}
			s.mu.Unlock()
			if first == nil {
				fmt.Fprintf(out, "%s: %v: stopping (again to exit at once)\n", programName, sig)
				s.shutdown(sig)
				continue
			}
			fmt.Fprintf(out, "%s: %v again: exiting at once\n", programName, sig)
			if s.stopNow != nil {
				s.stopNow()
			}
			s.mu.Lock()
			atExit := s.atExit
			s.mu.Unlock()
			for _, fn := range atExit {
				fn()
			}
			s.st.exit(exitCode(first))
			return
		case <-s.quit:
			return
		}
	}
}

// setOutput sends the messages to w from now on (the REPL's screen while
// it runs on the terminal, then stderr again).
func (s *signals) setOutput(w io.Writer) {
	s.mu.Lock()
	s.out = w
	s.mu.Unlock()
}

// atExitNow registers fn to run before a second signal ends the process.
func (s *signals) atExitNow(fn func()) {
	s.mu.Lock()
	s.atExit = append(s.atExit, fn)
	s.mu.Unlock()
}

// received returns the first signal not consumed, or nil.
func (s *signals) received() os.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// status returns err as the command's result: after a signal, an exit
// status of 128 plus the signal's number whatever err is. An error the
// script did not catch is printed then too (it says where the script was);
// the script's exit(code) and the cancellation itself are not.
func (s *signals) status(err error) error {
	sig := s.received()
	if sig == nil {
		return err
	}
	var (
		se *scripting.ScriptError
		es *exitStatus
	)
	switch {
	case err == nil:
	case errors.As(err, &se):
		err = fmt.Errorf("interrupted: %w", se)
	case errors.As(err, &es), errors.Is(err, context.Canceled):
		err = nil
	}
	return &exitStatus{code: exitCode(sig), err: err}
}

// stop ends the relaying and waits for its goroutine.
func (s *signals) stop() {
	s.st.stopNotify(s.ch)
	close(s.quit)
	<-s.done
}

// exitCode is the status a host ends with after sig, as a shell reports a
// program killed by it: 128 + its number (130 for SIGINT, 143 for SIGTERM,
// 129 for SIGHUP).
func exitCode(sig os.Signal) int {
	if n, ok := sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return exitFailed
}
