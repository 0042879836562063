package plugin_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// Text and echoPlugin are the plugin of the recorded brpc session
// (../shared/design/wire-fixtures/README.md).
type Text struct {
	Text  string `json:"text"`
	Count int    `json:"count,omitempty"`
}

type echoPlugin struct {
	hook chan any
}

func (e *echoPlugin) Echo(_ context.Context, in Text) (Text, error) {
	return Text{Text: in.Text, Count: len(in.Text)}, nil
}

func (e *echoPlugin) Fail(_ context.Context, in string) (string, error) {
	return "", errors.New("refused: " + in)
}

func (e *echoPlugin) Tick(_ context.Context, n int) (int, error) {
	for i := 1; i <= n; i++ {
		e.hook <- map[string]int{"tick": i}
	}
	return n, nil
}

func (e *echoPlugin) UseAsyncHook(hook chan any) { e.hook = hook }

// replayConn reads a recorded stream and records what is written. Like a
// socket that has said all it has to say, it then waits for the plugin to
// close the connection.
type replayConn struct {
	in     io.Reader
	mu     sync.Mutex
	out    bytes.Buffer
	closed chan struct{}
	once   sync.Once
}

func newReplayConn(in []byte) *replayConn {
	return &replayConn{in: bytes.NewReader(in), closed: make(chan struct{})}
}

func (c *replayConn) Read(p []byte) (int, error) {
	n, err := c.in.Read(p)
	if err == io.EOF {
		<-c.closed
	}
	return n, err
}

func (c *replayConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}

func (c *replayConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

// TestReplaySocketFixture feeds the bytes a brpc socket sent to our plugin
// and checks that our answers are the ones the brpc plugin gave.
func TestReplaySocketFixture(t *testing.T) {
	in, err := os.ReadFile("../internal/wire/testdata/socket-to-plugin.gob")
	if err != nil {
		t.Fatal(err)
	}
	conn := newReplayConn(in)
	if err := new(plugin.Plugin).Start(&echoPlugin{}, &plugin.Info{Name: "echo", Version: "1.0.0"}, conn, nil); err != nil {
		t.Fatalf("Start: %v", err)
	}

	// What our plugin wrote, decoded with the same types the brpc fixture
	// decodes into.
	dec := wire.NewDecoder(bytes.NewReader(conn.out.Bytes()), 0)
	var h wire.Hello[plugin.Function]
	if err := dec.Decode(&h); err != nil {
		t.Fatal(err)
	}
	want := recordedHello(t)
	if h.Name != want.Name || h.Version != want.Version || !reflect.DeepEqual(h.Functions, want.Functions) {
		t.Fatalf("handshake differs from brpc's:\n got %+v\nwant %+v", h, want)
	}
	if len(h.Caps) != 1 || h.Caps[0] != "cancel" {
		t.Errorf("caps = %v, want [cancel]", h.Caps)
	}
	var got []string
	for {
		var env wire.Envelope
		if err := dec.Decode(&env); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		got = append(got, describeEnvelope(env))
	}
	sort.Strings(got)
	wantEnv := []string{
		`0 trace-1 Echo "" {"text":"hello","count":5}`,
		`0  Async "" {"tick":1}`,
		`0  Async "" {"tick":2}`,
		`1 trace-2 Fail "refused: no" `,
		`2  Missing "method not found" `,
		`3 trace-4 Tick "" 2`,
	}
	sort.Strings(wantEnv)
	if strings.Join(got, "\n") != strings.Join(wantEnv, "\n") {
		t.Fatalf("answers differ from brpc's:\n got %q\nwant %q", got, wantEnv)
	}
}

// recordedHello is the handshake the brpc plugin sent.
func recordedHello(t *testing.T) wire.Hello[plugin.Function] {
	b, err := os.ReadFile("../internal/wire/testdata/plugin-to-socket.gob")
	if err != nil {
		t.Fatal(err)
	}
	var h wire.Hello[plugin.Function]
	if err := wire.NewDecoder(bytes.NewReader(b), 0).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func describeEnvelope(e wire.Envelope) string {
	return strings.Join([]string{
		strconv.FormatUint(e.Seq, 10), e.Trace, e.Method, `"` + e.Error + `"`, string(e.Payload),
	}, " ")
}
