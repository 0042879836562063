package socket_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
	"github.com/switchboard-rpc/switchboard/socket"
)

// documentedSession returns the lines of the example session in
// docs/jsonrpc.md, each with its direction (true: the plugin writes it).
func documentedSession(t *testing.T) (lines []string, fromPlugin []bool, doc string) {
	t.Helper()
	b, err := os.ReadFile("../docs/jsonrpc.md")
	if err != nil {
		t.Fatal(err)
	}
	doc = string(b)
	_, after, ok := strings.Cut(doc, "## An example session, byte for byte")
	if !ok {
		t.Fatal("docs/jsonrpc.md has no example session")
	}
	_, block, _ := strings.Cut(after, "```\n")
	block, _, _ = strings.Cut(block, "```")
	for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
		lines = append(lines, l[2:])
		fromPlugin = append(fromPlugin, l[0] == '>')
	}
	return lines, fromPlugin, doc
}

// The example session of docs/jsonrpc.md is what the host really writes,
// byte for byte, in both framings.
func TestJSONRPCDocumentedSession(t *testing.T) {
	lines, fromPlugin, doc := documentedSession(t)
	want := []bool{true, false, false, true, true, false, false, true, false}
	if fmt.Sprint(fromPlugin) != fmt.Sprint(want) {
		t.Fatalf("the documented session changed shape: %v", fromPlugin)
	}
	if h := fmt.Sprintf("Content-Length: %d\\r\\n", len(lines[1])); !strings.Contains(doc, h) {
		t.Fatalf("the headers example should say %q", h)
	}
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t)
		async := make(chan string, 1)
		defer s.Subscribe(socket.Handlers{Direct: true, Async: func(a socket.AsyncData) { async <- string(a.Raw) }})()
		nc, err := net.Dial("tcp", listen(t, s))
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		write := func(i int) {
			if _, err := nc.Write(jsonrpc.Append(nil, fr, []byte(lines[i]))); err != nil {
				t.Fatal(err)
			}
		}
		expect := func(i int) {
			t.Helper()
			wantBytes := jsonrpc.Append(nil, fr, []byte(lines[i]))
			got := make([]byte, len(wantBytes))
			_ = nc.SetReadDeadline(time.Now().Add(deadline))
			if _, err := io.ReadFull(nc, got); err != nil || !bytes.Equal(got, wantBytes) {
				t.Fatalf("line %d: host wrote %q (%v), the doc says %q", i, got, err, wantBytes)
			}
		}
		write(0)
		expect(1)
		first := make(chan error, 1)
		go func() {
			out, err := s.CallJSON(context.Background(), "t1", "greeter", "greet", json.RawMessage(`"world"`))
			if err == nil && string(out) != `"hello, world"` {
				err = fmt.Errorf("result %s", out)
			}
			first <- err
		}()
		expect(2)
		write(3)
		write(4)
		if err := recv(t, first); err != nil {
			t.Fatal(err)
		}
		if v := recv(t, async); v != `"greeting world"` {
			t.Fatalf("async value %s", v)
		}
		ctx, cancel := context.WithCancel(context.Background())
		second := make(chan error, 1)
		go func() {
			_, err := s.CallJSON(ctx, "", "greeter", "greet", nil)
			second <- err
		}()
		expect(5)
		cancel()
		if err := recv(t, second); !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		expect(6)
		write(7)
		s.Unplug("", "greeter")
		expect(8)
	})
}
