package cli

import (
	"fmt"
	"os"
	"syscall"
)

// watchSignals relays SIGINT and SIGTERM until the returned stop is called.
// For each signal it calls handle, which reports whether the signal was
// consumed (the REPL cancelling a call in flight); the first signal not
// consumed calls shutdown, the next one ends the process at once with
// status 1. stop waits for the relaying goroutine to end.
func (st *state) watchSignals(handle func(os.Signal) bool, shutdown func()) (stop func()) {
	ch := make(chan os.Signal, 2)
	st.notify(ch, os.Interrupt, syscall.SIGTERM)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		stopping := false
		for {
			select {
			case sig := <-ch:
				if handle != nil && handle(sig) {
					continue
				}
				if stopping {
					fmt.Fprintf(st.stderr, "%s: %v again: exiting at once\n", programName, sig)
					st.exit(exitFailed)
					return
				}
				stopping = true
				fmt.Fprintf(st.stderr, "%s: %v: stopping (again to exit at once)\n", programName, sig)
				shutdown()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		st.stopNotify(ch)
		close(quit)
		<-done
	}
}
