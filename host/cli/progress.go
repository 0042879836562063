package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progressTick is how often a step on a terminal redraws its elapsed time.
const progressTick = 200 * time.Millisecond

// progress shows the host's long steps (building a Go plugin directory,
// waiting for a -wait plugin) on stderr. On a terminal a step is one line
// that says what is happening and for how long, redrawn in place, and ends
// with the outcome and the time it took; elsewhere it is at most one line
// per step, written when it begins (a wait writes none: nothing to say
// when the plugin is quick).
//
// A progress is also an io.Writer for the rest of stderr (the host's log):
// what is written while a step's line is shown goes above it, and the line
// is drawn again below.
//
// While the REPL runs on the terminal, the progress writes through the
// REPL's screen (toScreen), which puts what is written while a prompt
// waits above it; the prompt then holds the bottom line, so a step is not
// drawn in place meanwhile: one that begins then is a line when it begins
// and one when it ends. The progress's mutex is taken before the screen's.
type progress struct {
	w        io.Writer
	terminal bool
	tick     time.Duration // between redraws; progressTick when zero

	mu        sync.Mutex
	line      string      // the step's line on the terminal now, "" when none
	prompting func() bool // whether a prompt waits on the terminal; nil for never
}

// toScreen makes the progress write to w, which prompting says whether a
// prompt waits above (nil for never): the REPL's Writer and Prompting, or
// stderr and nil again when the REPL ends.
func (p *progress) toScreen(w io.Writer, prompting func() bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.w, p.prompting = w, prompting
}

// promptShown reports whether a prompt waits on the terminal; the caller
// holds p.mu.
func (p *progress) promptShown() bool { return p.prompting != nil && p.prompting() }

// Write writes b to stderr, above the step's line if one is shown (and no
// prompt, which the screen then writes b above).
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line == "" || p.promptShown() {
		return p.w.Write(b)
	}
	if _, err := io.WriteString(p.w, "\r\x1b[K"); err != nil {
		return 0, err
	}
	n, err := p.w.Write(b)
	if err == nil {
		_, err = io.WriteString(p.w, p.line)
	}
	return n, err
}

// show replaces the step's line with line ("" to end it, after which
// final, when not empty, is written in its place). While a prompt waits,
// the line is not drawn (final is, above the prompt).
func (p *progress) show(line, final string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if line != "" && p.promptShown() {
		return
	}
	p.line = line
	_, _ = io.WriteString(p.w, "\r\x1b[K"+line+final)
}

// abovePrompt reports whether a prompt waits on the terminal.
func (p *progress) abovePrompt() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.promptShown()
}

// begin starts a step described by what ("building DIR (go build)"),
// showing total, when positive, as its bound; plain says whether a
// non-terminal gets the line. It returns the function that ends the step
// with its outcome ("built", "connected", ...). A step that begins while a
// prompt waits is not drawn in place: it is a line then and one when it
// ends. Steps do not overlap; the redrawing goroutine begin starts ends
// with the step.
func (p *progress) begin(what string, total time.Duration, plain bool) (end func(outcome string)) {
	if !p.terminal {
		if plain {
			fmt.Fprintf(p, "%s: %s ...\n", programName, what)
		}
		return func(string) {}
	}
	start := time.Now()
	if p.abovePrompt() {
		fmt.Fprintf(p, "%s: %s ...\n", programName, what)
		var once sync.Once
		return func(outcome string) {
			once.Do(func() {
				fmt.Fprintf(p, "%s: %s ... %s in %v\n", programName, what, outcome,
					time.Since(start).Round(time.Millisecond))
			})
		}
	}
	draw := func() {
		el := time.Since(start).Round(100 * time.Millisecond)
		bound := ""
		if total > 0 {
			bound = " of " + total.String()
		}
		p.show(fmt.Sprintf("%s: %s ... %v%s", programName, what, el, bound), "")
	}
	stop, done := make(chan struct{}), make(chan struct{})
	draw()
	go func() {
		defer close(done)
		tick := p.tick
		if tick == 0 {
			tick = progressTick
		}
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				draw()
			case <-stop:
				return
			}
		}
	}()
	var once sync.Once
	return func(outcome string) {
		once.Do(func() {
			close(stop)
			<-done
			p.show("", fmt.Sprintf("%s: %s ... %s in %v\n", programName, what, outcome,
				time.Since(start).Round(time.Millisecond)))
		})
	}
}

// builds shows the builds of a spawn.Builder as steps: its announce and
// built are the Builder's Announce and Built.
type builds struct {
	p   *progress
	mu  sync.Mutex
	end map[string]func(string) // by directory, while it builds
}

func (b *builds) announce(dir string) {
	end := b.p.begin("building "+dir+" (go build)", 0, true)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.end == nil {
		b.end = map[string]func(string){}
	}
	b.end[dir] = end
}

func (b *builds) built(dir string, err error) {
	b.mu.Lock()
	end := b.end[dir]
	delete(b.end, dir)
	b.mu.Unlock()
	if end == nil {
		return
	}
	if err != nil {
		end("failed")
		return
	}
	end("built")
}
