package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/switchboard-rpc/switchboard/repl"
	"github.com/switchboard-rpc/switchboard/scripting"
)

var replCommand = &command{
	name:      "repl",
	usageLine: "repl [flags]",
	short:     "start an interactive session",
	long: `
Repl listens for plugins like run does, then reads statements, evaluates
them in JavaScript (or Lua, with -lang lua) and prints their results as
JSON. The script API is the one of run: call, broadcast, onAsync, spawn...

On a terminal lines are edited with history (one per language, kept in
the user's state directory: $XDG_STATE_HOME/switchboard/history.js, or
~/.local/state/switchboard/history.js), tab completion of names, members,
plugin names, methods and payload fields, and a "..." prompt while a
statement is incomplete. Ctrl-C drops the line or cancels the call in
flight, Ctrl-D ends the session and stops the plugins it spawned. Timers
and events from plugins, and the host's log, are printed as they come,
above the line being typed. A call to a plugin of -spawn still starting
waits for it, up to -wait-timeout. Type .help for the meta-commands
(.plugins, .info NAME, .lang js|lua, .load FILE, .editor, .save FILE,
.exit).

Without a terminal, statements are read line by line and results printed;
the exit status is 1 if any statement failed.
`,
	setFlags: func(fs *flag.FlagSet, o *options) {
		setSharedFlags(fs, o)
		fs.StringVar(&o.lang, "lang", "js", "the `language` to start in: js or lua")
		fs.StringVar(&o.history, "history", "", "keep the history in `file` instead of the default; \"off\" keeps none")
	},
	run: runRepl,
}

// historyFile returns where the REPL keeps the history of lang: the file
// of -history (for every language), else the state directory's
// switchboard/history.LANG, the state directory being $XDG_STATE_HOME,
// else ~/.local/state; "" for none.
func historyFile(st *state, o *options, lang string) string {
	switch o.history {
	case "off":
		return ""
	case "":
	default:
		return o.history
	}
	dir := st.getenv("XDG_STATE_HOME")
	if dir == "" {
		home := st.getenv("HOME")
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, programName, "history."+lang)
}

func runRepl(st *state, o *options, args []string) (err error) {
	if len(args) > 0 {
		return usage("repl takes no arguments")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var r *repl.REPL
	ready := make(chan struct{})
	// SIGINT on a terminal cancels the call in flight and never ends the
	// session (Ctrl-D does); without a terminal it stops, as SIGTERM does.
	handle := func(sig os.Signal) bool {
		if sig != os.Interrupt || !st.terminal {
			return false
		}
		select {
		case <-ready:
			r.Interrupt()
		default:
		}
		return true
	}
	sigs := st.watchSignals(handle, func(os.Signal) { cancel() }, cancel)
	defer sigs.stop()

	sess, err := st.startSession(ctx, o, sigs)
	if err != nil {
		return sigs.status(err)
	}
	defer func() { err = sess.end(err) }() // after the REPL's Close
	// A call to a plugin of -spawn (or of spawn()) still starting waits
	// for it, as -wait would have.
	sess.startTimeout = o.waitTimeout
	r, err = repl.New(repl.Config{
		Hub: sess.sock,
		NewEngine: func(lang string, stdout, stderr io.Writer) (repl.Engine, error) {
			return sess.newEngine(lang, stdout, stderr)
		},
		Redraw:      redrawLine,
		Lang:        o.lang,
		In:          st.stdin,
		Out:         st.stdout,
		Err:         st.stderr,
		Terminal:    st.terminal,
		HistoryFor:  func(lang string) string { return historyFile(st, o, lang) },
		EventMemory: o.eventMemory,
		ExitCode: func(err error) (int, bool) {
			var e *scripting.ExitError
			if errors.As(err, &e) {
				return e.Code, true
			}
			return 0, false
		},
		Logger: sess.log,
	})
	if err != nil {
		return err
	}
	defer r.Close()
	if st.terminal && st.stderrTerminal {
		// What the host writes to the terminal while a prompt waits (its
		// log, with the plugins' output; a build's progress; a signal's
		// message) goes above the prompt, as the REPL's own output does.
		// Elsewhere stderr is written as it is.
		screen := r.Writer(st.stderr)
		sess.prog.toScreen(screen, r.Prompting)
		sigs.setOutput(screen)
		defer func() {
			sigs.setOutput(st.stderr)
			sess.prog.toScreen(st.stderr, nil)
		}()
	}
	close(ready)
	if st.terminal {
		fmt.Fprintf(st.stderr, "switchboard %s, %s; plugins dial SWITCHBOARD_ADDR=%s%s; .help for help\n",
			buildVersion(), o.lang, sess.lis.addr, sess.nats.banner())
	}
	err = r.Run(ctx)
	if errors.Is(err, repl.ErrFailed) {
		return sigs.status(&exitStatus{code: exitFailed})
	}
	return sigs.status(scriptStatus(ctx, err))
}
