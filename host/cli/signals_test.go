package cli

import (
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

func TestFirstSignalShutsDownSecondExits(t *testing.T) {
	s := newSignalState(t)
	shut := make(chan struct{}, 2)
	stop := s.watchSignals(nil, func() { shut <- struct{}{} })
	sigs := <-s.ch
	sigs <- syscall.SIGTERM
	<-shut
	sigs <- os.Interrupt
	if code := <-s.exited; code != exitFailed {
		t.Errorf("second signal exited with %d, want %d", code, exitFailed)
	}
	stop()
	if len(shut) != 0 {
		t.Error("shutdown called twice")
	}
}

func TestConsumedSignalsDoNotCount(t *testing.T) {
	s := newSignalState(t)
	shut := make(chan struct{}, 1)
	handled := make(chan os.Signal, 3)
	stop := s.watchSignals(func(sig os.Signal) bool {
		handled <- sig
		return sig == os.Interrupt
	}, func() { shut <- struct{}{} })
	defer stop()
	sigs := <-s.ch
	sigs <- os.Interrupt
	sigs <- os.Interrupt
	<-handled
	<-handled
	sigs <- syscall.SIGTERM
	<-handled
	<-shut
	select {
	case code := <-s.exited:
		t.Fatalf("exited with %d after one unconsumed signal", code)
	default:
	}
}
