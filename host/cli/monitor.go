package cli

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/switchboard-rpc/switchboard/monitor"
	"github.com/switchboard-rpc/switchboard/scripting"
)

// watch is the monitor of a session and what it writes to: -http, -summary
// and -calls. The zero watch (none of the flags) does nothing.
type watch struct {
	mon   *monitor.Monitor // nil without the flags
	calls *os.File         // -calls, or nil

	mu       sync.Mutex
	runtimes []*scripting.Runtime // for the script events dropped
}

// newWatch makes the monitor the flags ask for, opening the -calls file;
// it returns the zero watch when none asks for one.
func newWatch(o *options) (*watch, error) {
	w := &watch{}
	if o.http == "" && !o.summary && o.calls == "" {
		return w, nil
	}
	cfg := monitor.Config{ScriptEventsDropped: w.scriptDropped}
	if o.calls != "" {
		f, err := os.Create(o.calls)
		if err != nil {
			return nil, fmt.Errorf("-calls: %w", err)
		}
		w.calls, cfg.Calls = f, f
	}
	w.mon = monitor.New(cfg)
	return w, nil
}

// serve starts the HTTP server of -http, on a loopback address unless a
// token (which it then requires) or -insecure allows another, and says
// where on stderr.
func (w *watch) serve(st *state, o *options) error {
	if o.http == "" {
		return nil
	}
	if strings.HasPrefix(o.http, "unix:") {
		return &usageError{msg: fmt.Sprintf("bad -http address %q: host:port, on TCP only", o.http)}
	}
	if _, _, err := net.SplitHostPort(o.http); err != nil {
		return &usageError{msg: fmt.Sprintf("bad -http address %q: %v", o.http, err)}
	}
	lis, err := listenTCP(o.http, o.token != "" || o.insecure)
	if err != nil {
		return fmt.Errorf("-http: %w", err)
	}
	if err := w.mon.Serve(lis, o.token); err != nil {
		return err
	}
	fmt.Fprintf(st.stderr, "%s: monitor on http://%s/\n", programName, lis.addr)
	return nil
}

// track counts rt's dropped events in the script events dropped.
func (w *watch) track(rt *scripting.Runtime) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.runtimes = append(w.runtimes, rt)
}

func (w *watch) scriptDropped() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var n uint64
	for _, rt := range w.runtimes {
		n += rt.Dropped()
	}
	return n
}

// restarted is spawn's OnRestart: nil without a monitor.
func (w *watch) restarted() func(string) {
	if w.mon == nil {
		return nil
	}
	return w.mon.Restarted
}

// flush writes out the calls file's buffer, for a process ending at once
// (a second signal); the error is the calls file's.
func (w *watch) flush() error {
	if w.mon == nil {
		return nil
	}
	return w.mon.Flush()
}

// close prints the summary when asked to, stops the HTTP server and
// flushes and closes the calls file; its error is the calls file's.
func (w *watch) close(st *state, o *options) error {
	if w.mon == nil {
		return nil
	}
	if o.summary {
		// Plugin and method names may come from plugins: escaped, as the
		// host's other messages are (repl.Escape).
		var b bytes.Buffer
		_ = w.mon.WriteSummary(&b)
		fmt.Fprintf(st.stderr, "%s: calls by plugin and method\n%s", programName, printable(b.String()))
	}
	err := w.mon.Close()
	if err != nil {
		err = fmt.Errorf("-calls: %w", err)
	}
	if w.calls != nil {
		if cerr := w.calls.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("-calls: %w", cerr)
		}
	}
	return err
}
