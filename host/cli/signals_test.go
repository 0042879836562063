package cli

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
)

// signalState is a fake state whose signals the test sends.
type signalState struct {
	*state
	ch     chan chan<- os.Signal
	exited chan int
}

func newSignalState(t *testing.T) *signalState {
	st, _, _ := fakeState()
	st.stderr = &syncbuf.Buffer{}
	s := &signalState{state: st, ch: make(chan chan<- os.Signal, 1), exited: make(chan int, 1)}
	st.notify = func(c chan<- os.Signal, _ ...os.Signal) { s.ch <- c }
	st.exit = func(code int) { s.exited <- code }
	return s
}

// TestFirstSignalShutsDownSecondExits: the first signal shuts down, the
// second stops at once, runs what atExitNow registered and exits with the
// status of the first signal.
func TestFirstSignalShutsDownSecondExits(t *testing.T) {
	s := newSignalState(t)
	shut := make(chan os.Signal, 2)
	stopped, cleaned := make(chan struct{}, 2), make(chan struct{}, 2)
	sigs := s.watchSignals(nil, func(sig os.Signal) { shut <- sig }, func() { stopped <- struct{}{} })
	sigs.atExitNow(func() { cleaned <- struct{}{} })
	ch := <-s.ch
	ch <- syscall.SIGTERM
	if sig := <-shut; sig != syscall.SIGTERM {
		t.Errorf("shutdown got %v, want SIGTERM", sig)
	}
	ch <- os.Interrupt
	if code := <-s.exited; code != 143 {
		t.Errorf("second signal exited with %d, want 143 (SIGTERM came first)", code)
	}
	sigs.stop()
	if len(shut) != 0 {
		t.Error("shutdown called twice")
	}
	if len(stopped) != 1 || len(cleaned) != 1 {
		t.Errorf("stopNow ran %d times, atExit %d times; want 1 and 1", len(stopped), len(cleaned))
	}
}

func TestConsumedSignalsDoNotCount(t *testing.T) {
	s := newSignalState(t)
	shut := make(chan struct{}, 1)
	handled := make(chan os.Signal, 3)
	sigs := s.watchSignals(func(sig os.Signal) bool {
		handled <- sig
		return sig == os.Interrupt
	}, func(os.Signal) { shut <- struct{}{} }, nil)
	defer sigs.stop()
	ch := <-s.ch
	ch <- os.Interrupt
	ch <- os.Interrupt
	<-handled
	<-handled
	if sigs.received() != nil {
		t.Errorf("received = %v after consumed signals only", sigs.received())
	}
	ch <- syscall.SIGHUP
	<-handled
	<-shut
	select {
	case code := <-s.exited:
		t.Fatalf("exited with %d after one unconsumed signal", code)
	default:
	}
	var es *exitStatus
	if err := sigs.status(nil); !errors.As(err, &es) || es.code != 129 {
		t.Errorf("status after SIGHUP = %v, want exit status 129", err)
	}
}

func TestExitCodes(t *testing.T) {
	for sig, want := range map[os.Signal]int{os.Interrupt: 130, syscall.SIGTERM: 143, syscall.SIGHUP: 129} {
		if got := exitCode(sig); got != want {
			t.Errorf("exitCode(%v) = %d, want %d", sig, got, want)
		}
	}
}
