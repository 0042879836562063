package repl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
)

// writes records every Write it gets, apart.
type writes struct {
	mu  sync.Mutex
	got []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, string(p))
	return len(p), nil
}

func (w *writes) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	got := w.got
	w.got = nil
	return got
}

func sameWrites(t *testing.T, when string, got []string, want ...string) {
	t.Helper()
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("%s: writes %q, want %q", when, got, want)
	}
}

// TestWriterWithoutPrompt: with no prompt shown, every write goes through
// at once and unchanged, a partial line and several lines alike.
func TestWriterWithoutPrompt(t *testing.T) {
	redraws := 0
	sc := &screen{redraw: func() { redraws++ }}
	var out writes
	w := sc.lines(&out)
	for _, s := range []string{"level=INFO msg=one\n", "half a ", "line\n", "a\nb\nc", "", "\n"} {
		if n, err := io.WriteString(w, s); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	sameWrites(t, "no prompt", out.take(), "level=INFO msg=one\n", "half a ", "line\n", "a\nb\nc", "", "\n")
	if redraws != 0 {
		t.Errorf("%d redraws, want none", redraws)
	}
}

// TestWriterAbovePrompt: while a prompt is shown, the whole lines of a
// write go above it in one write, after the erasing of the prompt line,
// and the prompt is drawn again; the start of a line is held until its
// end comes, and what is held when the prompt goes is written as it is.
func TestWriterAbovePrompt(t *testing.T) {
	redraws := 0
	sc := &screen{redraw: func() { redraws++ }}
	var out writes
	w := sc.lines(&out)
	sc.setPrompting(true)

	io.WriteString(w, "level=WARN msg=\"plugin process exited\"\n")
	sameWrites(t, "one line", out.take(), clearLine+"level=WARN msg=\"plugin process exited\"\n")
	io.WriteString(w, "first\nsecond\nthird\n")
	sameWrites(t, "three lines", out.take(), clearLine+"first\nsecond\nthird\n")
	if redraws != 2 {
		t.Errorf("%d redraws after two writes, want 2", redraws)
	}

	if n, err := io.WriteString(w, "the start "); n != 10 || err != nil {
		t.Fatalf("Write of a partial line = %d, %v", n, err)
	}
	io.WriteString(w, "of a line")
	sameWrites(t, "a partial line", out.take())
	if redraws != 2 {
		t.Errorf("a partial line redrew (%d redraws)", redraws)
	}
	io.WriteString(w, ", its end\nand the next")
	sameWrites(t, "its end", out.take(), clearLine+"the start of a line, its end\n")
	if redraws != 3 {
		t.Errorf("%d redraws, want 3", redraws)
	}

	sc.setPrompting(false)
	sameWrites(t, "the prompt gone", out.take(), "and the next")
	io.WriteString(w, " line\n")
	sameWrites(t, "after", out.take(), " line\n")
	sc.setPrompting(true)
	sc.setPrompting(false)
	sameWrites(t, "nothing held", out.take())
}

// TestWriterKeepsLinesWhole: the REPL's own output while a line's start
// is held goes above the prompt on its own, and the held line comes out
// whole after it.
func TestWriterKeepsLinesWhole(t *testing.T) {
	sc := &screen{}
	var out writes
	log, engine := sc.lines(&out), sc.writer(&out)
	sc.setPrompting(true)
	io.WriteString(log, "level=INFO msg=")
	io.WriteString(engine, "beat\n")
	io.WriteString(log, "connected\n")
	sameWrites(t, "interleaved", out.take(), clearLine+"beat\n", clearLine+"level=INFO msg=connected\n")
}

// TestWriterBound: the start of a line longer than the bound is not held:
// it is printed above the prompt, ended with a newline.
func TestWriterBound(t *testing.T) {
	sc := &screen{}
	var out writes
	w := sc.lines(&out)
	sc.setPrompting(true)
	long := strings.Repeat("x", maxHeld)
	io.WriteString(w, long)
	sameWrites(t, "at the bound", out.take())
	io.WriteString(w, "y")
	sameWrites(t, "past the bound", out.take(), clearLine+long+"y\n")
	io.WriteString(w, "a\n"+long+"z")
	sameWrites(t, "a line and too long a start", out.take(), clearLine+"a\n"+long+"z\n")
	sc.setPrompting(false)
	sameWrites(t, "nothing held", out.take())
}

// errWriter fails every write.
type errWriter struct{}

var errBroken = errors.New("broken")

func (errWriter) Write([]byte) (int, error) { return 0, errBroken }

// TestWriterError: an error of the writer underneath comes back, prompt
// shown or not.
func TestWriterError(t *testing.T) {
	sc := &screen{}
	w := sc.lines(errWriter{})
	if _, err := io.WriteString(w, "x\n"); !errors.Is(err, errBroken) {
		t.Errorf("without a prompt: %v", err)
	}
	sc.setPrompting(true)
	if _, err := io.WriteString(w, "x\n"); !errors.Is(err, errBroken) {
		t.Errorf("above a prompt: %v", err)
	}
}

// TestWriterConcurrent: writes through several writers and the REPL's own,
// from many goroutines, never interleave: every line comes out whole,
// lines written whole while a prompt comes and goes, and lines written in
// two pieces while it stays.
func TestWriterConcurrent(t *testing.T) {
	for _, split := range []bool{false, true} {
		sc := &screen{redraw: func() {}}
		var out bytes.Buffer
		var wg sync.WaitGroup
		const writers, each = 4, 200
		if split {
			sc.setPrompting(true)
		}
		for i := range writers {
			w := sc.lines(&out)
			if i == 0 {
				w = sc.writer(&out) // the REPL's own, which completes lines
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range each {
					if !split || i == 0 {
						fmt.Fprintf(w, "w%d line %d end\n", i, j)
						continue
					}
					fmt.Fprintf(w, "w%d line %d", i, j)
					io.WriteString(w, " end\n")
				}
			}()
		}
		if !split {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range each {
					sc.setPrompting(j%2 == 0)
				}
			}()
		}
		wg.Wait()
		sc.setPrompting(false)
		text := strings.ReplaceAll(out.String(), clearLine, "")
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if len(lines) != writers*each {
			t.Fatalf("split %v: %d lines, want %d", split, len(lines), writers*each)
		}
		for _, l := range lines {
			var i, j int
			if _, err := fmt.Sscanf(l, "w%d line %d end", &i, &j); err != nil || fmt.Sprintf("w%d line %d end", i, j) != l {
				t.Fatalf("split %v: line %q is not whole", split, l)
			}
		}
	}
}
