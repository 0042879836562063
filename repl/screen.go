package repl

import (
	"io"
	"sync"
)

// clearLine moves to the start of the line and erases it.
const clearLine = "\r\x1b[K"

// screen serialises what the REPL and its engines print. While a prompt
// is shown on a terminal (prompting), what is printed goes above the line
// being typed: the prompt line is erased, the text printed (completed to a
// whole line), and the line editor asked to draw the prompt and the line
// again under it.
//
// The writers of REPL.Writer go through it too; they hold the start of a
// line while a prompt is shown, until its end comes or the prompt goes.
type screen struct {
	mu        sync.Mutex
	prompting bool
	redraw    func()        // asks the line editor to redraw; nil for none
	held      []*lineWriter // the writers holding the start of a line
}

// setPrompting says whether a prompt is on the terminal now. When it goes,
// what the writers of REPL.Writer held is written as it is.
func (s *screen) setPrompting(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prompting = on
	if !on {
		for _, lw := range s.held {
			lw.flush()
		}
		clear(s.held)
		s.held = s.held[:0]
	}
}

// writer returns a writer to w through the screen.
func (s *screen) writer(w io.Writer) io.Writer { return &screenWriter{s: s, w: w} }

type screenWriter struct {
	s *screen
	w io.Writer
}

// Write writes p in one write to the underlying writer: as it is, or,
// while a prompt is shown, above it.
func (sw *screenWriter) Write(p []byte) (int, error) {
	s := sw.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.prompting || len(p) == 0 {
		return sw.w.Write(p)
	}
	buf := make([]byte, 0, len(clearLine)+len(p)+1)
	buf = append(buf, clearLine...)
	buf = append(buf, p...)
	if p[len(p)-1] != '\n' {
		buf = append(buf, '\n')
	}
	_, err := sw.w.Write(buf)
	if s.redraw != nil {
		s.redraw()
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}
