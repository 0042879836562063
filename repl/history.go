package repl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/peterh/liner"
)

// historyReadLimit bounds the bytes of a history file read at the start:
// its tail, from which liner keeps the last liner.HistoryLimit lines.
const historyReadLimit = 4 << 20

// history keeps the lines typed on a terminal in a file, so that a session
// never loses the ones before it: each line is appended to the file as it
// is entered, and the file is never rewritten nor truncated. A session
// ended by a signal, or by the terminal closing, leaves the file as it was
// plus the lines typed. At the start the last liner.HistoryLimit lines are
// offered, read from at most the last 4 MiB of the file.
type history struct {
	path string // "" keeps none
	log  *slog.Logger
	last string // the last line added, which liner does not repeat
}

// load reads the end of the file into ln, if there is one.
func (h *history) load(ln *liner.State) {
	if h.path == "" {
		return
	}
	b, err := readTail(h.path, historyReadLimit)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			h.log.Warn("history not read", "err", err)
		}
		return
	}
	if _, err := ln.ReadHistory(bytes.NewReader(b)); err != nil {
		h.log.Warn("history not read", "err", err)
		return
	}
	var buf bytes.Buffer
	_, _ = ln.WriteHistory(&buf)
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	h.last = string(lines[len(lines)-1])
}

// readTail returns the whole lines of the last limit bytes of the file at
// path.
func readTail(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := max(fi.Size()-limit, 0)
	b := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if off > 0 {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:] // a line cut in two
		}
	}
	return b, nil
}

// add adds line to ln's history and appends it to the file. Blank lines and
// a repeat of the last line are not kept, as liner keeps them not.
func (h *history) add(ln *liner.State, line string) {
	if line == h.last {
		return
	}
	h.last = line
	ln.AppendHistory(line)
	if h.path == "" {
		return
	}
	if err := appendHistory(h.path, line); err != nil {
		h.log.Warn("history not saved", "err", err)
	}
}

// appendHistory appends line to the file at path, making it (readable by
// its owner only) and its directory if need be.
func appendHistory(path, line string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("writing history: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("writing history: %w", err)
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("writing history: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing history: %w", err)
	}
	return nil
}
