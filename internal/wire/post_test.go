package wire_test

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := lis.Accept()
		if err != nil {
			t.Error(err)
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.FailNow()
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// returnsSoon fails t unless f returns within a generous bound.
func returnsSoon(t *testing.T, what string, f func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s waited for the peer to read", what)
	}
}

// PostEnvelope returns without the peer reading, even when the connection
// cannot take the envelope; what it could not write arrives afterwards,
// before what was sent after it, and Flush waits for all of it.
func TestPostEnvelopeDoesNotWaitForThePeer(t *testing.T) {
	for _, tc := range []struct {
		name string
		pair func(t *testing.T) (net.Conn, net.Conn)
	}{
		{"tcp", tcpPair}, // written without waiting, the rest in the background
		{"pipe", func(*testing.T) (net.Conn, net.Conn) { return net.Pipe() }}, // all in the background
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, r := tc.pair(t)
			enc := wire.NewEncoder(w, time.Minute)
			// Far more than loopback socket buffers hold.
			big := wire.Envelope{Seq: 1, Method: "Big", Payload: bytes.Repeat([]byte("x"), 16<<20)}
			returnsSoon(t, "PostEnvelope", func() error { return enc.PostEnvelope(&big) })
			returnsSoon(t, "a second PostEnvelope", func() error {
				return enc.PostEnvelope(&wire.Envelope{Seq: 2, Method: "Small"})
			})
			flushed := make(chan error, 1)
			go func() {
				// A Send after the posts, which must wait its turn.
				if err := enc.SendEnvelope(&wire.Envelope{Seq: 3, Method: "Last"}); err != nil {
					flushed <- err
					return
				}
				flushed <- enc.Flush()
			}()
			dec := wire.NewDecoder(r, 32<<20)
			for _, want := range []wire.Envelope{big, {Seq: 2, Method: "Small"}, {Seq: 3, Method: "Last"}} {
				var got wire.Envelope
				if err := dec.Decode(&got); err != nil {
					t.Fatal(err)
				}
				if got.Seq != want.Seq || got.Method != want.Method || !bytes.Equal(got.Payload, want.Payload) {
					t.Fatalf("got envelope %d %s (%d bytes), want %d %s (%d bytes)",
						got.Seq, got.Method, len(got.Payload), want.Seq, want.Method, len(want.Payload))
				}
			}
			if err := <-flushed; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A write the socket takes at once sets no deadline; the deadline an earlier
// write that had to wait left behind, long past, must not fail it.
func TestEncoderWritesPastAStaleDeadline(t *testing.T) {
	w, r := tcpPair(t)
	enc := wire.NewEncoder(w, time.Minute)
	if err := w.SetWriteDeadline(time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := enc.SendEnvelope(&wire.Envelope{Seq: 1, Method: "Send"}); err != nil {
		t.Fatalf("SendEnvelope after a stale deadline: %v", err)
	}
	if err := w.SetWriteDeadline(time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := enc.PostEnvelope(&wire.Envelope{Seq: 2, Method: "Post"}); err != nil {
		t.Fatalf("PostEnvelope after a stale deadline: %v", err)
	}
	dec := wire.NewDecoder(r, 0)
	for _, seq := range []uint64{1, 2} {
		var env wire.Envelope
		if err := dec.Decode(&env); err != nil || env.Seq != seq {
			t.Fatalf("envelope %d: %+v, %v", seq, env, err)
		}
	}
}

// A peer that never reads makes the write that waits for it fail within
// the timeout, and the Encoder report it.
func TestEncoderWriteTimeout(t *testing.T) {
	w, _ := tcpPair(t)
	enc := wire.NewEncoder(w, 100*time.Millisecond)
	big := &wire.Envelope{Seq: 1, Payload: bytes.Repeat([]byte("x"), 16<<20)}
	done := make(chan error, 1)
	go func() { done <- enc.SendEnvelope(big) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("16 MiB to a peer that does not read: no error")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the write did not time out")
	}
	if err := enc.PostEnvelope(&wire.Envelope{Seq: 2}); err == nil {
		t.Fatal("PostEnvelope after a failed write: no error")
	}
}

// A posted write that fails in the background is reported to OnFail, once,
// since no Send is there to return it.
func TestPostEnvelopeReportsABackgroundFailure(t *testing.T) {
	w, _ := tcpPair(t)
	enc := wire.NewEncoder(w, 100*time.Millisecond)
	failed := make(chan error, 2)
	enc.OnFail(func(err error) { failed <- err })
	big := &wire.Envelope{Seq: 1, Payload: bytes.Repeat([]byte("x"), 16<<20)}
	returnsSoon(t, "PostEnvelope", func() error { return enc.PostEnvelope(big) })
	select {
	case err := <-failed:
		if err == nil {
			t.Fatal("OnFail called with a nil error")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the background write's failure was not reported")
	}
	if err := enc.PostEnvelope(&wire.Envelope{Seq: 2}); err == nil {
		t.Fatal("PostEnvelope after a failed write: no error")
	}
	if err := enc.Flush(); err == nil {
		t.Fatal("Flush after a failed write: no error")
	}
	select {
	case err := <-failed:
		t.Fatalf("OnFail called twice (%v)", err)
	default:
	}
}

// Posts and Sends from many goroutines, large enough to fill the socket and
// leave writes to the background, all arrive whole, each sender's in the
// order it sent them.
func TestPostAndSendInterleaveWhole(t *testing.T) {
	w, r := tcpPair(t)
	enc := wire.NewEncoder(w, time.Minute)
	const senders, each = 8, 40
	done := make(chan error, senders)
	for sdr := range senders {
		go func() {
			for i := range each {
				env := wire.Envelope{Seq: uint64(sdr*each + i), Method: "M", Payload: bytes.Repeat([]byte{byte(sdr)}, (i%5)*50000)}
				var err error
				if i%2 == 0 {
					err = enc.PostEnvelope(&env)
				} else {
					err = enc.SendEnvelope(&env)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	dec := wire.NewDecoder(r, 0)
	next := make([]int, senders)
	for range senders * each {
		var env wire.Envelope
		if err := dec.Decode(&env); err != nil {
			t.Fatal(err)
		}
		sdr, i := int(env.Seq)/each, int(env.Seq)%each
		if i != next[sdr] {
			t.Fatalf("sender %d: envelope %d arrived, want %d", sdr, i, next[sdr])
		}
		next[sdr]++
		if env.Method != "M" || len(env.Payload) != (i%5)*50000 || len(env.Payload) > 0 && env.Payload[0] != byte(sdr) {
			t.Fatalf("envelope %d of sender %d arrived damaged (%d bytes)", i, sdr, len(env.Payload))
		}
	}
	for range senders {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
}

// Wait, after the stream is closed, returns once the background writer has
// returned, OnFail included.
func TestEncoderWaitOutlastsTheBackgroundWriter(t *testing.T) {
	w, _ := tcpPair(t)
	enc := wire.NewEncoder(w, time.Hour)
	var failed bool
	enc.OnFail(func(error) { failed = true }) // read after Wait: no race if Wait waits for it
	big := &wire.Envelope{Seq: 1, Payload: bytes.Repeat([]byte("x"), 16<<20)}
	returnsSoon(t, "PostEnvelope", func() error { return enc.PostEnvelope(big) })
	w.Close()
	returnsSoon(t, "Wait", func() error { enc.Wait(); return nil })
	if !failed {
		t.Fatal("Wait returned before the background writer reported its failure")
	}
}
