package scripting

import (
	"container/heap"
	"time"
)

// MinInterval is the shortest period of a repeating timer; shorter ones
// are raised to it so that an interval cannot spin the loop.
const MinInterval = time.Millisecond

// AddTimer schedules fn to run on the loop after d (at once for d <= 0),
// and every d after that when repeat is true, until ClearTimer. Timers due
// at the same time run in the order they were added. A timer keeps the
// loop alive while it is scheduled. The id is never 0.
func (l *Loop) AddTimer(d time.Duration, repeat bool, fn func()) uint64 {
	if d < 0 {
		d = 0
	}
	if repeat && d < MinInterval {
		d = MinInterval
	}
	return l.timers.add(time.Now().Add(d), d, repeat, fn)
}

// ClearTimer cancels a timer; unknown or finished ids are ignored. It is
// safe to call from inside the timer's own callback.
func (l *Loop) ClearTimer(id uint64) { l.timers.remove(id) }

type timer struct {
	id     uint64
	when   time.Time
	period time.Duration
	repeat bool
	fn     func()
	index  int // in the heap, -1 when not scheduled
}

// timers is a min-heap of timers by (when, id), with an index by id.
type timers struct {
	heap []*timer
	byID map[uint64]*timer
	seq  uint64
}

func (ts *timers) len() int { return len(ts.heap) }

func (ts *timers) add(when time.Time, d time.Duration, repeat bool, fn func()) uint64 {
	ts.seq++
	t := &timer{id: ts.seq, when: when, period: d, repeat: repeat, fn: fn}
	if ts.byID == nil {
		ts.byID = map[uint64]*timer{}
	}
	ts.byID[t.id] = t
	heap.Push((*timerHeap)(ts), t)
	return t.id
}

func (ts *timers) remove(id uint64) {
	t := ts.byID[id]
	if t == nil {
		return
	}
	delete(ts.byID, id)
	if t.index >= 0 {
		heap.Remove((*timerHeap)(ts), t.index)
	}
}

func (ts *timers) first() (time.Time, bool) {
	if len(ts.heap) == 0 {
		return time.Time{}, false
	}
	return ts.heap[0].when, true
}

// fireOne runs the earliest timer if it is due at now and was added no
// later than timer last; it reports whether it ran one.
func (ts *timers) fireOne(now time.Time, last uint64) bool {
	if len(ts.heap) == 0 {
		return false
	}
	t := ts.heap[0]
	if t.when.After(now) || t.id > last {
		return false
	}
	heap.Pop((*timerHeap)(ts))
	if t.repeat {
		// Re-armed before the callback, so that the callback can clear it.
		t.when = now.Add(t.period)
		heap.Push((*timerHeap)(ts), t)
	} else {
		delete(ts.byID, t.id)
	}
	t.fn()
	return true
}

// timerHeap adapts timers to container/heap.
type timerHeap timers

func (h *timerHeap) Len() int { return len(h.heap) }

func (h *timerHeap) Less(i, j int) bool {
	a, b := h.heap[i], h.heap[j]
	if !a.when.Equal(b.when) {
		return a.when.Before(b.when)
	}
	return a.id < b.id
}

func (h *timerHeap) Swap(i, j int) {
	h.heap[i], h.heap[j] = h.heap[j], h.heap[i]
	h.heap[i].index = i
	h.heap[j].index = j
}

func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(h.heap)
	h.heap = append(h.heap, t)
}

func (h *timerHeap) Pop() any {
	n := len(h.heap) - 1
	t := h.heap[n]
	h.heap[n] = nil
	h.heap = h.heap[:n]
	t.index = -1
	return t
}
