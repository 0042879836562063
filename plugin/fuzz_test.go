package plugin_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// fuzzSvc is the receiver FuzzPlugin serves: methods of several argument
// shapes, one that panics.
type fuzzSvc struct{}

func (fuzzSvc) Add(_ context.Context, s Sum) (int, error)         { return s.A + s.B, nil }
func (fuzzSvc) Echo(_ context.Context, in any) (any, error)       { return in, nil }
func (fuzzSvc) Names(_ context.Context, in []string) (int, error) { return len(in), nil }
func (fuzzSvc) Boom(_ context.Context, msg string) (int, error) {
	panic(errors.New(msg))
}

// quiet discards the log of the plugins FuzzPlugin runs.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// FuzzPlugin feeds arbitrary bytes to a plugin as the socket's side of the
// connection: requests, stops, cancels, garbage. Whatever comes, the plugin
// must not panic, and Start must return once the stream ends.
func FuzzPlugin(f *testing.F) {
	b, err := os.ReadFile("../internal/wire/testdata/socket-to-plugin.gob")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte{})
	f.Add([]byte{0x07, 0xff, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		a, c := net.Pipe()
		done := make(chan error, 1)
		p, err := plugin.New(plugin.WithLogger(quiet))
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			done <- p.Start(fuzzSvc{}, &plugin.Info{Name: "fuzz"}, c, nil)
		}()
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			_, _ = io.Copy(io.Discard, a)
		}()
		_ = a.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = a.Write(data)
		_ = a.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Start did not return after the stream ended")
		}
		<-drained
	})
}
