package spawn

import "sync"

// Bounds on the output a Process keeps for the error that reports its exit
// (ExitError.Output), on top of logging every line.
const (
	// MaxTailLines is how many of its last lines a process keeps of each
	// of stdout and stderr.
	MaxTailLines = 5
	// MaxTailLineBytes is the most of one line kept; the rest is cut and
	// marked with "...".
	MaxTailLineBytes = 512
)

// tail keeps the last MaxTailLines lines a process wrote to one stream.
// Written by the goroutine that copies the stream, read by others.
type tail struct {
	mu    sync.Mutex
	lines [MaxTailLines]string
	next  int // where the next line goes
	n     int // lines kept
}

// add keeps line, dropping the oldest past MaxTailLines.
func (t *tail) add(line string) {
	if len(line) > MaxTailLineBytes {
		line = line[:MaxTailLineBytes] + "..."
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines[t.next] = line
	t.next = (t.next + 1) % MaxTailLines
	t.n = min(t.n+1, MaxTailLines)
}

// last returns the lines kept, oldest first.
func (t *tail) last() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, t.n)
	for i := range t.n {
		out = append(out, t.lines[(t.next-t.n+i+MaxTailLines)%MaxTailLines])
	}
	return out
}
