package brpc_test

import (
	"bufio"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestReadmeExample runs the two programs of brpc's README (example_test.go)
// against each other, unchanged: the socket, then the plugin once the
// socket listens, and checks what the socket prints. It takes the five
// seconds the README's plugin method sleeps, and port 8080, where the
// README listens.
func TestReadmeExample(t *testing.T) {
	if l, err := net.Listen("tcp", ":8080"); err != nil {
		t.Skipf("port 8080, which brpc's README example listens on, is taken: %v", err)
	} else {
		_ = l.Close()
	}

	// The example prints to os.Stdout; the tests of this package do not
	// run in parallel, so it is swapped for a pipe while it runs.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	lines := make(chan []string, 1)
	go func() {
		var got []string
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			got = append(got, sc.Text())
		}
		lines <- got
	}()
	before := goleak.IgnoreCurrent()

	socketDone, pluginDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(socketDone); Example_readme() }()
	waitUntil(t, "the README's socket to listen on 127.0.0.1:8080", func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:8080") // the socket refuses this probe: no handshake
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
	go func() { defer close(pluginDone); readmePlugin() }()
	recv(t, socketDone, "the end of the README's socket")
	recv(t, pluginDone, "the end of the README's plugin")
	// The socket's goroutine reading Async ends after Shutdown; wait for
	// it (and every other) before os.Stdout is put back.
	if err := goleak.Find(before); err != nil {
		t.Fatalf("goroutines left by the example: %v", err)
	}
	os.Stdout = stdout
	_ = w.Close()
	got := recv(t, lines, "the example's output")

	out := strings.Join(got, "\n")
	for _, want := range []string{
		`(?m)^Async: &\{your_plugin_name ExampleMethod started\}$`,
		`(?m)^Response: Message$`,
		// Connected before Unplug, then after (the async value and the
		// callback's line may come between the two).
		`(?ms)^List: map\[your_plugin_name:0x[0-9a-f]+\]$.*^List: map\[\]$`,
		`(?m)^Callback: plugin your_plugin_name disconnected, gracefully: 'true'$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the output lacks %s:\n%s", want, out)
		}
	}
	// No "connected" texts among the async values, unlike brpc.
	for _, l := range got {
		if strings.HasPrefix(l, "Async:") && !strings.Contains(l, "ExampleMethod") {
			t.Errorf("unexpected async value: %s", l)
		}
	}
}
