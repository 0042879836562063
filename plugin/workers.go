package plugin

import (
	"sync"
	"time"
)

// workerIdle is how long a worker waits for another request before it
// returns: workers are reused under load (no goroutine start, no stack
// growth per request), and an idle connection keeps none.
const workerIdle = time.Second

// jobServer serves one request handed to a worker.
type jobServer[J any] interface{ serveJob(J) }

// workers is the pool of goroutines that serve a plugin's requests, over a
// connection (Start) or over NATS (StartNATS): a request goes to a worker
// waiting for one, or to a new worker when none is; a worker returns
// between one and two workerIdle after its last request, or when the pool
// is closed. The pool owns its goroutines: wait waits for them.
type workers[J any] struct {
	work chan J // idle workers wait here for a request
	wg   sync.WaitGroup
	s    jobServer[J]
}

func newWorkers[J any](s jobServer[J]) workers[J] {
	return workers[J]{work: make(chan J), s: s}
}

// hand gives j to an idle worker, or to a new one; it does not block. It
// must not be called once close has been.
func (w *workers[J]) hand(j J) {
	select {
	case w.work <- j: // an idle worker takes it
	default:
		w.wg.Add(1)
		go w.run(j)
	}
}

// close tells the idle workers to return, and the busy ones to once they
// have served their request: nothing may hand them more. It does not
// block; wait does.
func (w *workers[J]) close() { close(w.work) }

// wait blocks until every worker has returned.
func (w *workers[J]) wait() { w.wg.Wait() }

// run serves j, then whatever requests are handed to it, until it has
// served none for a whole workerIdle (it returns between one and two of
// them after its last request) or the pool is closed.
//
// The idle timer is neither reset nor read per request (that takes the
// timer heap's lock, and a clock read, every time): the worker counts what
// it serves, and when the timer fires after it served some, sets it again.
func (w *workers[J]) run(j J) {
	defer w.wg.Done()
	var idle *time.Timer
	for {
		w.s.serveJob(j)
		if idle == nil {
			idle = time.NewTimer(workerIdle)
			defer idle.Stop()
		}
		var ok bool
		if j, ok = w.next(idle); !ok {
			return
		}
	}
}

// next waits for the next request (true), or until the idle timer fires
// with nothing served since it last did (false), or the pool is closed
// (false). It is called once per request served.
func (w *workers[J]) next(idle *time.Timer) (J, bool) {
	served := true // the request just served
	for {
		select {
		case j, ok := <-w.work:
			return j, ok
		case <-idle.C:
			if !served {
				var zero J
				return zero, false
			}
			served = false
			idle.Reset(workerIdle)
		}
	}
}
