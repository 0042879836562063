package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/peterh/liner"
)

// continuation is the prompt while a statement is incomplete; the first
// line of a statement gets the language's name ("js> ", "lua> ").
const continuation = "... "

// prompter reads one line after showing a prompt.
type prompter interface {
	Prompt(prompt string) (string, error)
}

// plainLines reads lines from a reader and shows no prompt.
type plainLines struct{ r *bufio.Reader }

func (p plainLines) Prompt(string) (string, error) {
	line, err := p.r.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil // the last line had no newline; EOF comes next time
	}
	return strings.TrimRight(line, "\r\n"), err
}

// runPlain evaluates the lines of cfg.In.
func (r *REPL) runPlain(ctx context.Context) error {
	err := r.loop(ctx, plainLines{bufio.NewReader(r.cfg.In)})
	if err == nil && r.failed {
		return ErrFailed
	}
	return err
}

// runTerminal edits lines with liner, with history and completion.
func (r *REPL) runTerminal(ctx context.Context) error {
	ln := liner.NewLiner()
	defer ln.Close()
	ln.SetCtrlCAborts(true)
	ln.SetTabCompletionStyle(liner.TabPrints)
	ln.SetWordCompleter(r.complete)
	return r.loop(ctx, &historyPrompter{r: r, ln: ln})
}

// historyPrompter adds every line typed to the history of the current
// language, and its file; the history liner offers is the current
// language's.
type historyPrompter struct {
	r    *REPL
	ln   *liner.State
	lang string // whose history ln holds
	h    *history
}

func (p *historyPrompter) Prompt(prompt string) (string, error) {
	if lang := p.r.lang; lang != p.lang || p.h == nil {
		p.lang = lang
		p.ln.ClearHistory()
		p.h = &history{path: p.r.historyFile(lang), log: p.r.cfg.Logger}
		p.h.load(p.ln)
	}
	line, err := p.ln.Prompt(prompt)
	if err == nil && strings.TrimSpace(line) != "" {
		p.h.add(p.ln, line)
	}
	return line, err
}

// historyFile returns the history file of lang.
func (r *REPL) historyFile(lang string) string {
	if r.cfg.HistoryFor != nil {
		return r.cfg.HistoryFor(lang)
	}
	return r.cfg.HistoryFile
}

// promptResult is what a prompt produced.
type promptResult struct {
	line string
	err  error
}

// loop prompts, reads and evaluates until the input ends, the session is
// ended, or ctx is done. Events are printed before every prompt, and while
// it waits (see await).
//
// The prompt runs on a goroutine of its own so that ctx can end the session
// while a prompt waits for input; that goroutine ends when its prompt
// returns (at once for finite input; for a terminal, when the process ends).
func (r *REPL) loop(ctx context.Context, p prompter) error {
	asks := make(chan string)
	answers := make(chan promptResult)
	done := make(chan struct{})
	defer close(done)
	r.looping.Store(true)
	defer close(r.loopDone)
	defer r.looping.Store(false)
	go func() {
		for {
			select {
			case prompt := <-asks:
				line, err := p.Prompt(prompt)
				select {
				case answers <- promptResult{line, err}:
				case <-done:
					return
				}
			case <-done:
				return
			}
		}
	}()
	for {
		r.flushEvents()
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case asks <- r.prompt():
		case <-ctx.Done():
			return ctx.Err()
		}
		got, err := r.await(ctx, answers)
		if err != nil {
			return err
		}
		if r.editing && got.err != nil {
			aborted := errors.Is(got.err, liner.ErrPromptAborted)
			if !aborted && !errors.Is(got.err, io.EOF) {
				return fmt.Errorf("repl: reading input: %w", got.err)
			}
			if stop, err := r.endEditor(ctx, aborted); stop {
				r.flushEvents()
				return err
			}
			if !aborted && !r.cfg.Terminal {
				return r.finish(ctx) // the input has ended
			}
			continue
		}
		switch {
		case errors.Is(got.err, liner.ErrPromptAborted):
			r.pending = "" // Ctrl-C drops the line being typed
			continue
		case errors.Is(got.err, io.EOF) && r.cfg.Terminal && r.pending != "":
			// Ctrl-D on a "..." line drops the unfinished entry.
			r.pending = ""
			fmt.Fprintln(r.cfg.Out)
			continue
		case errors.Is(got.err, io.EOF):
			return r.finish(ctx)
		case got.err != nil:
			return fmt.Errorf("repl: reading input: %w", got.err)
		}
		if stop, err := r.feed(ctx, got.line); stop {
			r.flushEvents()
			return err
		}
	}
}

// await waits for the prompt's answer. Meanwhile every engine runs its
// callbacks and timers as they come due (Idle, each on a goroutine of its
// own, all stopped before await returns), the socket's events are printed
// as they arrive (on a terminal above the line being typed), and
// completion asks the engine for names (the engines pause meanwhile). It
// returns ctx's error when ctx ends first, and a script's exit() request
// made meanwhile.
func (r *REPL) await(ctx context.Context, answers <-chan promptResult) (promptResult, error) {
	exits := make(chan error, len(r.engines))
	var (
		wg   sync.WaitGroup
		stop context.CancelFunc
	)
	start := func() {
		var idle context.Context
		idle, stop = context.WithCancel(ctx)
		for _, e := range r.engines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := e.Idle(idle); err != nil {
					exits <- err
				}
			}()
		}
	}
	pause := func() {
		stop()
		wg.Wait()
	}
	// Prompting first: what the callbacks print from the start goes above
	// the prompt.
	r.screen.setPrompting(r.cfg.Terminal)
	start()
	defer func() {
		r.screen.setPrompting(false)
		pause()
	}()
	for {
		select {
		case got := <-answers:
			return got, nil
		case <-r.events.notify:
			r.printEvents()
		case req := <-r.nameReqs:
			pause()
			req.reply <- r.engineNames(req.word)
			start()
		case err := <-exits:
			return promptResult{}, err
		case <-ctx.Done():
			return promptResult{}, ctx.Err()
		}
	}
}

// Completer is what an engine may have besides Engine, for completion
// (those of scripting/js and scripting/lua do): the names that complete
// word, globals or, after dots, members ("JSON.str" gives
// "JSON.stringify"). It is called between the engine's other methods.
type Completer interface {
	Complete(word string) []string
}

// nameRequest asks the REPL's loop for the names that complete word.
type nameRequest struct {
	word  string
	reply chan []string
}

// names returns the names that complete word; it is called on the
// prompt's goroutine and asks the loop, which owns the engines (before
// Run, the engines are asked directly).
func (r *REPL) names(word string) []string {
	if !r.looping.Load() {
		return r.engineNames(word)
	}
	req := nameRequest{word, make(chan []string, 1)}
	select {
	case r.nameReqs <- req:
	case <-r.loopDone:
		return nil
	}
	select {
	case names := <-req.reply:
		return names
	case <-r.loopDone:
		return nil
	}
}

// engineNames asks the current engine for the names that complete word:
// through Completer, or among its globals.
func (r *REPL) engineNames(word string) []string {
	e := r.current()
	if c, ok := e.(Completer); ok {
		return c.Complete(word)
	}
	if strings.Contains(word, ".") {
		return nil
	}
	return e.Globals()
}

// finish evaluates what is left at the end of the input (an unfinished
// statement fails there, as it would in a file) and prints the last events.
func (r *REPL) finish(ctx context.Context) error {
	if strings.TrimSpace(r.pending) != "" {
		src := r.pending
		r.pending = ""
		if stop, err := r.eval(ctx, r.current(), src); stop {
			return err
		}
	}
	r.flushEvents()
	if r.cfg.Terminal {
		fmt.Fprintln(r.cfg.Out)
	}
	return nil
}

// prompt returns the prompt for the next line.
func (r *REPL) prompt() string {
	if r.editing {
		return ""
	}
	if r.pending != "" {
		return continuation
	}
	return r.lang + "> "
}
