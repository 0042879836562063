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
	if r.editing {
		r.pending += line + "\n"
		return false, nil
	}
	trimmed := strings.TrimSpace(line)
	if r.pending == "" {
		if trimmed == "" {
			return false, nil
		}
		if isMetaName(trimmed) {
			return r.meta(ctx, trimmed)
		}
	} else if trimmed == ".break" || trimmed == ".clear" {
		r.pending = ""
		return false, nil
	}
	src := r.pending + line
	if r.current().Incomplete(src) {
		r.pending = src + "\n"
		return false, nil
	}
	r.pending = ""
	return r.evalEntry(ctx, src)
}

// evalEntry evaluates an entry typed in the current language and keeps it
// for .save when it did not fail.
func (r *REPL) evalEntry(ctx context.Context, src string) (stop bool, err error) {
	before := r.failures
	stop, err = r.eval(ctx, r.current(), src)
	if !stop && r.failures == before {
		r.entries = append(r.entries, savedEntry{r.lang, src})
	}
	return stop, err
}

// endEditor ends .editor mode: the lines typed are evaluated as one entry
// (Ctrl-D), or dropped (drop, for Ctrl-C).
func (r *REPL) endEditor(ctx context.Context, drop bool) (stop bool, err error) {
	src := r.pending
	r.pending, r.editing = "", false
	if drop || strings.TrimSpace(src) == "" {
		return false, nil
	}
	return r.evalEntry(ctx, src)
}

// eval evaluates src in e and prints the result or the error. The
// evaluation can be cancelled with Interrupt. A script's exit() stops the
// session.
func (r *REPL) eval(ctx context.Context, e Engine, src string) (stop bool, err error) {
	return r.evalWith(ctx, func(ctx context.Context) (string, error) { return e.Eval(ctx, src) })
}

// evalWith is eval of what run evaluates.
func (r *REPL) evalWith(ctx context.Context, run func(ctx context.Context) (string, error)) (stop bool, err error) {
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
	out, err := run(ctx)
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
	r.failures++
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
