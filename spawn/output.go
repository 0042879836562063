package spawn

import (
	"bytes"
	"log/slog"
)

// lineLogger logs what a child writes, one record per line, and keeps the
// last lines in tail.
type lineLogger struct {
	log    *slog.Logger
	prefix string
	stream string
	tail   *tail
	buf    []byte
}

// maxLine is the longest line logged whole; longer ones are cut.
const maxLine = 64 << 10

func (w *lineLogger) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			w.buf = append(w.buf, b...)
			if len(w.buf) > maxLine {
				w.flush()
			}
			break
		}
		w.buf = append(w.buf, b[:i]...)
		w.flush()
		b = b[i+1:]
	}
	return n, nil
}

func (w *lineLogger) flush() {
	if len(w.buf) == 0 {
		return
	}
	line := string(bytes.TrimRight(w.buf, "\r"))
	w.buf = w.buf[:0]
	w.tail.add(line)
	w.log.Info(w.prefix+": "+line, "stream", w.stream)
}
