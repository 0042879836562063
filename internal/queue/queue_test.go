package queue_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/internal/queue"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// item is a test item: its number and the bytes it claims to hold.
type item struct{ n, size int }

func itemSize(it item) int { return it.size }

func TestOrderAndBatches(t *testing.T) {
	q := queue.New(1<<20, itemSize, nil)
	for i := range 100 {
		if d := q.Push(item{i, 10}); d != 0 {
			t.Fatalf("push %d dropped %d", i, d)
		}
	}
	if q.Len() != 100 || q.Bytes() != 1000 {
		t.Fatalf("Len %d, Bytes %d", q.Len(), q.Bytes())
	}
	if v, ok := q.Pop(); !ok || v.n != 0 {
		t.Fatalf("Pop = %v, %v", v, ok)
	}
	batch := q.Drain(nil)
	if len(batch) != 99 || q.Len() != 0 || q.Bytes() != 0 {
		t.Fatalf("Drain gave %d, left %d (%d bytes)", len(batch), q.Len(), q.Bytes())
	}
	for i, v := range batch {
		if v.n != i+1 {
			t.Fatalf("batch[%d] = %d", i, v.n)
		}
	}
	// The batch handed back is reused, and what it held is not seen again.
	q.Push(item{100, 1})
	again := q.Drain(batch)
	if len(again) != 1 || again[0].n != 100 {
		t.Fatalf("second Drain = %v", again)
	}
}

func TestDropsOldestPastTheBoundOncePerBurst(t *testing.T) {
	var bursts []int
	q := queue.New(100, itemSize, func(first item) { bursts = append(bursts, first.n) })
	for i := range 10 {
		q.Push(item{i, 10})
	}
	if d := q.Push(item{10, 25}); d != 3 { // 100+25 bytes: 0, 1 and 2 go
		t.Fatalf("dropped %d, want 3", d)
	}
	for i := 11; i < 20; i++ {
		q.Push(item{i, 10})
	}
	if q.Dropped() != 11 || q.Bytes() != 90 { // 3..9, then the large 10 went
		t.Fatalf("Dropped %d, Bytes %d", q.Dropped(), q.Bytes())
	}
	if len(bursts) != 1 || bursts[0] != 0 {
		t.Fatalf("bursts reported %v, want one, starting at item 0", bursts)
	}
	got := q.Drain(nil)
	if got[0].n != 11 || len(got) != 9 || got[8].n != 19 {
		t.Fatalf("kept %v", got)
	}
	// The consumer caught up: the next drop starts a new burst.
	for i := 20; i < 40; i++ {
		q.Push(item{i, 10})
	}
	if len(bursts) != 2 || bursts[1] != 20 {
		t.Fatalf("bursts reported %v, want a second starting at item 20", bursts)
	}
}

func TestItemLargerThanTheBoundIsKeptAlone(t *testing.T) {
	q := queue.New(10, itemSize, nil)
	q.Push(item{0, 5})
	if d := q.Push(item{1, 50}); d != 1 {
		t.Fatalf("dropped %d", d)
	}
	if v, ok := q.Pop(); !ok || v.n != 1 {
		t.Fatalf("Pop = %v, %v", v, ok)
	}
}

func TestQueueThatNeverEmptiesStaysCompact(t *testing.T) {
	q := queue.New(100, itemSize, nil)
	for i := range 100_000 {
		q.Push(item{i, 1})
		if i%2 == 1 {
			q.Pop()
			q.Pop()
		}
	}
	if q.Len() != 0 {
		t.Fatalf("Len %d", q.Len())
	}
}

func TestWaitAndClose(t *testing.T) {
	q := queue.New(1<<10, itemSize, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a done context: %v", err)
	}
	var wg sync.WaitGroup
	got := make(chan int, 2)
	for range 2 { // two waiters, both woken
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := q.Wait(context.Background())
			if err != nil {
				got <- -1
				return
			}
			got <- v.n
		}()
	}
	ready := q.Ready()
	q.Push(item{7, 1})
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("Ready not closed by Push")
	}
	q.Push(item{8, 1})
	wg.Wait()
	if a, b := <-got, <-got; a+b != 15 {
		t.Fatalf("waiters got %d and %d", a, b)
	}
	q.Push(item{9, 1})
	q.Close()
	q.Push(item{10, 1}) // ignored
	if v, err := q.Wait(context.Background()); err != nil || v.n != 9 {
		t.Fatalf("Wait after Close = %v, %v; want what was left", v, err)
	}
	if _, err := q.Wait(context.Background()); !errors.Is(err, queue.ErrClosed) {
		t.Fatalf("Wait on a closed, empty queue: %v", err)
	}
	select {
	case <-q.Ready():
	default:
		t.Fatal("Ready of a closed queue is not closed")
	}
}

func TestClearDoesNotCount(t *testing.T) {
	q := queue.New(1<<10, itemSize, nil)
	q.Push(item{1, 1})
	q.Clear()
	if q.Len() != 0 || q.Dropped() != 0 {
		t.Fatalf("Len %d, Dropped %d", q.Len(), q.Dropped())
	}
}

func BenchmarkPushDrain(b *testing.B) {
	q := queue.New(64<<20, itemSize, nil)
	var batch []item
	b.ReportAllocs()
	for i := range b.N {
		q.Push(item{i, 64})
		if i%1024 == 1023 {
			batch = q.Drain(batch)
		}
	}
}
