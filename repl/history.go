package repl

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/peterh/liner"
)

// history keeps the lines typed on a terminal in a file, so that a session
// never loses the ones before it: each line is appended to the file as it
// is entered, and the file is only ever rewritten whole into a temporary
// file that then replaces it (when it has grown past liner.HistoryLimit
// lines, at load). A session ended by a signal, or by the terminal
// closing, leaves the file as it was plus the lines typed.
type history struct {
	path string // "" keeps none
	log  *slog.Logger
	last string // the last line added, which liner does not repeat
}

// load reads the file into ln, if there is one, and rewrites it with the
// last liner.HistoryLimit lines when it holds more.
func (h *history) load(ln *liner.State) {
	if h.path == "" {
		return
	}
	b, err := os.ReadFile(h.path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			h.log.Warn("history not read", "err", err)
		}
		return
	}
	n, err := ln.ReadHistory(bytes.NewReader(b))
	if err != nil {
		h.log.Warn("history not read", "err", err)
		return
	}
	if n > liner.HistoryLimit {
		if err := rewriteHistory(h.path, ln); err != nil {
			h.log.Warn("history not trimmed", "err", err)
		}
	}
	var buf bytes.Buffer
	_, _ = ln.WriteHistory(&buf)
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	h.last = string(lines[len(lines)-1])
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

// rewriteHistory replaces the file at path with the history of ln, through
// a temporary file in the same directory renamed over it: the file is
// either the old one or the new one, never a part of either.
func rewriteHistory(path string, ln *liner.State) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("writing history: %w", err)
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing history: %w", err)
	}
	_, err = ln.WriteHistory(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing history: %w", err)
	}
	return nil
}
