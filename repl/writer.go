package repl

import (
	"bytes"
	"io"
)

// maxHeld bounds the start of a line a Writer holds while a prompt waits
// for the line's end; past it what is held is printed, ended with a
// newline, as the engines' output is.
const maxHeld = 64 << 10

// Writer returns a writer to w through the REPL's screen, for what others
// print on the REPL's terminal while it runs (the host's log). While a
// prompt waits on the terminal, what is written goes above it as events
// do: the whole lines of a write are printed at once, in one write to w,
// and the prompt and the line being typed are drawn again under them
// (Config.Redraw); the start of a line whose end has not come yet is held
// (up to 64 KiB) until it comes or the prompt goes, then written as it is.
// At other times (no prompt shown, no terminal, after Close) each write
// goes to w at once and unchanged. Writes through it never interleave with
// the REPL's own output. It is safe for concurrent use; a write does not
// block beyond w's.
func (r *REPL) Writer(w io.Writer) io.Writer { return r.screen.lines(w) }

// Prompting reports whether a prompt waits on the terminal now, so that
// what goes through the REPL's writers is printed above it; a caller that
// draws a line in place (a progress line) should not while it does. It is
// safe to call from any goroutine.
func (r *REPL) Prompting() bool {
	r.screen.mu.Lock()
	defer r.screen.mu.Unlock()
	return r.screen.prompting
}

// lines returns a lineWriter to w through the screen.
func (s *screen) lines(w io.Writer) io.Writer { return &lineWriter{s: s, w: w} }

// lineWriter is the writer of REPL.Writer. Its fields are the screen's
// (guarded by the screen's mutex).
type lineWriter struct {
	s    *screen
	w    io.Writer
	held []byte // the start of a line, while a prompt is shown
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	s := lw.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.prompting {
		return lw.w.Write(p) // nothing is held (see screen.setPrompting)
	}
	if len(p) == 0 {
		return 0, nil
	}
	wasHeld := len(lw.held) > 0
	data := p
	if wasHeld {
		lw.held = append(lw.held, p...)
		data = lw.held
	}
	end := bytes.LastIndexByte(data, '\n') + 1
	if len(data)-end > maxHeld {
		end = len(data) // too long a start of a line: printed as it is
	}
	if end == 0 {
		if !wasHeld {
			lw.held = append(lw.held, p...)
			s.held = append(s.held, lw)
		}
		return len(p), nil
	}
	buf := make([]byte, 0, len(clearLine)+end+1)
	buf = append(buf, clearLine...)
	buf = append(buf, data[:end]...)
	if buf[len(buf)-1] != '\n' {
		buf = append(buf, '\n')
	}
	lw.held = append(lw.held[:0], data[end:]...)
	if cap(lw.held) > 2*maxHeld {
		lw.held = bytes.Clone(lw.held)
	}
	switch rest := len(lw.held) > 0; {
	case rest && !wasHeld:
		s.held = append(s.held, lw)
	case !rest && wasHeld:
		s.forget(lw)
	}
	_, err := lw.w.Write(buf)
	if s.redraw != nil {
		s.redraw()
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// flush writes what lw holds, as it is; the caller holds the screen's
// mutex. An error has nobody to go to and is dropped.
func (lw *lineWriter) flush() {
	if len(lw.held) > 0 {
		_, _ = lw.w.Write(lw.held)
		lw.held = lw.held[:0]
	}
}

// forget takes lw off the writers that hold part of a line.
func (s *screen) forget(lw *lineWriter) {
	for i, h := range s.held {
		if h == lw {
			s.held = append(s.held[:i], s.held[i+1:]...)
			return
		}
	}
}
