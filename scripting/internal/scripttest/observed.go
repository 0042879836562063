package scripttest

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Recorder is a socket.Observer that keeps the calls it is told of.
type Recorder struct {
	mu    sync.Mutex
	calls []socket.CallRecord
}

// CallDone keeps c.
func (r *Recorder) CallDone(c socket.CallRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

// BroadcastDone does nothing.
func (r *Recorder) BroadcastDone(socket.BroadcastRecord) {}

// AsyncReceived does nothing.
func (r *Recorder) AsyncReceived(string, []byte) {}

// Connected does nothing.
func (r *Recorder) Connected(socket.PeerRecord) {}

// Disconnected does nothing.
func (r *Recorder) Disconnected(socket.PeerRecord, bool) {}

func (r *Recorder) snapshot() []socket.CallRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]socket.CallRecord(nil), r.calls...)
}

// SetupObserved is Setup over a socket whose observer is the returned
// Recorder, with a RawPlugin named "bad" attached too, over TCP, whose
// Junk and Echo answer bytes that are not JSON.
func SetupObserved(t *testing.T) (*Env, *Recorder) {
	t.Helper()
	rec := &Recorder{}
	s := Socket(t, socket.WithObserver(rec))
	Attach(t, s, "echo")
	AttachControl(t, s)
	env := NewEnv(t, s, scripting.Config{})
	AttachRaw(t, env.Sock, "bad", []string{"Junk", "Echo"}, func(string, []byte) []byte { return []byte(`{"not": json`) })
	return env, rec
}

// WaitObserved waits until rec has been told of every call in want, keyed
// "trace plugin.method", and checks each one's outcome: "ok" or the
// scripting error code of its Err. Calls traced "" are not looked at. The
// error of a bad_response must name the call.
func (r *Recorder) WaitObserved(t *testing.T, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	WaitFor(t, 10*time.Second, func() error {
		clear(got)
		for _, c := range r.snapshot() {
			if c.Trace == "" {
				continue
			}
			outcome := "ok"
			if c.Err != nil {
				outcome = scripting.Code(c.Err)
				if outcome == scripting.CodeBadResponse && !strings.HasPrefix(c.Err.Error(), c.Plugin+"."+c.Method+": bad response: ") {
					outcome += " (" + c.Err.Error() + ")"
				}
			}
			got[c.Trace+" "+c.Plugin+"."+c.Method] += outcome
		}
		if len(got) < len(want) {
			return fmt.Errorf("calls observed %v, want %v", got, want)
		}
		return nil
	})
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("call %s observed as %q, want %q", k, got[k], want[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("calls observed %v, want %v", got, want)
	}
}
