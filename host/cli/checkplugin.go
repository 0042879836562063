package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
	"github.com/switchboard-rpc/switchboard/spawn"
)

var checkPluginCommand = &command{
	name:      "check-plugin",
	usageLine: "check-plugin [--] CMD [ARGS...]",
	short:     "check that a plugin, in any language, follows the protocol",
	long: `
Check-plugin starts CMD with ARGS under a private host (loopback, a token of
its own), as spawn() would (a .py file with python3, a .js or .mjs file with
node), and reports one line per point: whether it registers, what it
describes, whether it answers a call, an unknown method and a call after a
cancelled one, whether it stops when asked and then exits with status 0, and
whether it wrote anything but protocol to the connection. It exits with status 0 when the plugin conforms,
1 otherwise. The plugin's own output goes to stderr.
`,
	run: runCheckPlugin,
}

// checkTimeout bounds each point of check-plugin.
const checkTimeout = 10 * time.Second

// runCheckPlugin runs the conformance check.
func runCheckPlugin(st *state, _ *options, args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return usage("check-plugin needs the plugin's command")
	}
	var tok [16]byte
	_, _ = rand.Read(tok[:])
	token := hex.EncodeToString(tok[:])
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := socket.New(socket.WithToken(token), socket.WithLogger(quiet), socket.WithStopTimeout(checkTimeout))
	if err != nil {
		return err
	}
	defer s.Shutdown("check-plugin")
	connected := make(chan *plugin.Info, 1)
	gone := make(chan bool, 1)
	defer s.Subscribe(socket.Handlers{
		Connect:    func(info *plugin.Info) { connected <- info },
		Disconnect: func(_ *plugin.Info, graceful bool) { gone <- graceful },
	})()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.Serve(lis)
	sp := spawn.New(spawn.Config{Addr: lis.Addr().String(), Token: token,
		Logger: slog.New(slog.NewTextHandler(st.stderr, nil))})
	defer sp.Close()
	p, err := sp.Start(args[0], args[1:], spawn.Options{})
	if err != nil {
		return err
	}
	exited := make(chan int, 1)
	go func() {
		code, _ := p.Wait(context.Background()) // Close ends it
		exited <- code
	}()

	failed := 0
	report := func(ok bool, point, detail string) {
		mark := "ok  "
		if !ok {
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(st.stdout, "%s %-16s %s\n", mark, point, printable(detail))
	}
	var info *plugin.Info
	select {
	case info = <-connected:
		report(true, "registers", fmt.Sprintf("as %q, version %q", info.Name, info.Version))
	case code := <-exited:
		report(false, "registers", fmt.Sprintf("the plugin exited with status %d before registering", code))
		return &exitStatus{code: exitFailed}
	case <-time.After(checkTimeout):
		report(false, "registers", fmt.Sprintf("no registration within %v (refused connections: %d)", checkTimeout, s.Stats().Refused))
		return &exitStatus{code: exitFailed}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range info.Functions {
			if !yield(n) {
				return
			}
		}
	})
	report(true, "describes", fmt.Sprintf("%d method(s): %s", len(names), strings.Join(names, ", ")))
	call := func(method string, timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_, err := s.CallJSON(ctx, "check-plugin", info.Name, method, nil)
		return err
	}
	var remote *socket.RemoteError
	if len(names) == 0 {
		report(true, "answers a call", "no method described: skipped")
	} else if err := call(names[0], checkTimeout); err == nil || errors.As(err, &remote) {
		report(true, "answers a call", fmt.Sprintf("%s(null): %v", names[0], answerText(err)))
	} else {
		report(false, "answers a call", fmt.Sprintf("%s(null): %v", names[0], err))
	}
	const unknown = "check-plugin.no-such-method"
	if err := call(unknown, checkTimeout); errors.Is(err, socket.ErrMethodNotFound) {
		report(true, "unknown method", "answered method not found")
	} else {
		report(false, "unknown method", fmt.Sprintf("want method not found (-32601), got %v", answerText(err)))
	}
	_ = call(unknown, time.Nanosecond) // cancelled at once: the plugin gets $/cancelRequest
	if err := call(unknown, checkTimeout); errors.Is(err, socket.ErrMethodNotFound) {
		report(true, "cancel", "still answering after a cancelled call")
	} else {
		report(false, "cancel", fmt.Sprintf("after a cancelled call: %v", err))
	}
	s.Unplug("check-plugin", info.Name)
	select {
	case graceful := <-gone:
		report(graceful, "stop", map[bool]string{true: "finished and closed when asked", false: "was cut or crashed"}[graceful])
	case <-time.After(2 * checkTimeout):
		report(false, "stop", "did not close")
	}
	select {
	case code := <-exited:
		report(code == 0, "exits", fmt.Sprintf("with status %d", code))
	case <-time.After(checkTimeout):
		report(false, "exits", fmt.Sprintf("still running %v after the stop: killed", checkTimeout))
	}
	refused := s.Stats().Refused
	report(refused == 0, "protocol only", fmt.Sprintf("%d connection(s) refused", refused))
	if failed > 0 {
		return &exitStatus{code: exitFailed, err: fmt.Errorf("%d point(s) failed", failed)}
	}
	return nil
}

// answerText describes a call's outcome.
func answerText(err error) string {
	if err == nil {
		return "a result"
	}
	return "an error: " + err.Error()
}
