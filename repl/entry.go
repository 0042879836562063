package repl

import (
	"context"
	"fmt"
	"strings"
)

// current returns the engine of the current language.
func (r *REPL) current() Engine { return r.engines[r.lang] }

// feed takes one line of input. A line that completes a statement is
// evaluated; one that does not is kept for the next. stop is true when the
// session ends, err then being what Run returns.
func (r *REPL) feed(ctx context.Context, line string) (stop bool, err error) {
	if r.pending == "" {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			return false, nil
		}
		if strings.HasPrefix(trimmed, ".") && isMetaName(trimmed) {
			return r.meta(ctx, trimmed)
		}
	}
	src := r.pending + line
	if r.current().Incomplete(src) {
		r.pending = src + "\n"
		return false, nil
	}
	r.pending = ""
	return r.eval(ctx, r.current(), src)
}

// eval evaluates src in e and prints the result or the error. The
// evaluation can be cancelled with Interrupt. A script's exit() stops the
// session.
func (r *REPL) eval(ctx context.Context, e Engine, src string) (stop bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	r.mu.Lock()
	r.cancel = cancel
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.cancel = nil
		r.mu.Unlock()
		cancel()
	}()
	out, err := e.Eval(ctx, src)
	if err != nil {
		if _, ok := r.cfg.ExitCode(err); ok {
			return true, err
		}
		r.fail(err)
		return false, nil
	}
	if out != "" {
		fmt.Fprintln(r.cfg.Out, escapeLines(out)) // results may hold what a plugin sent
	}
	return false, nil
}

// fail prints err on one line, escaped (a plugin's error message is in
// it), and remembers that a statement failed.
func (r *REPL) fail(err error) {
	r.failed = true
	fmt.Fprintf(r.cfg.Err, "error: %s\n", Escape(oneLine(err.Error())))
}

// oneLine joins the lines of s with " | " so that an error takes one line.
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " | ")
}
