package plugin_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// TestStopDuringHandshake: Stop as soon as Start has begun its handshake
// ends Start, and does not race with the handshake setting up the async
// hook (run with -race). The socket side of the pipe reads and drops
// everything.
func TestStopDuringHandshake(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	begun := make(chan struct{})
	go func() {
		buf := make([]byte, 1)
		if _, err := b.Read(buf); err != nil {
			return
		}
		close(begun)
		_, _ = io.Copy(io.Discard, b)
	}()
	p := new(plugin.Plugin)
	started := make(chan error, 1)
	go func() { started <- p.Start(&echoPlugin{}, &plugin.Info{Name: "echo"}, a, nil) }()
	select {
	case <-begun:
	case <-time.After(deadline):
		t.Fatal("Start sent nothing")
	}
	stopped := make(chan struct{})
	go func() { p.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(deadline):
		t.Fatal("Stop did not return")
	}
	select {
	case <-started:
	case <-time.After(deadline):
		t.Fatal("Start did not return")
	}
}
