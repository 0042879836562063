package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
)

var runCommand = &command{
	name:      "run",
	usageLine: "run [flags] SCRIPT.js|SCRIPT.ts|SCRIPT.lua [--] [args...]",
	short:     "run a workflow script",
	long: `
Run listens for plugins, starts those of -spawn, waits for those of -wait,
and runs the script: JavaScript for .js, TypeScript for .ts (compiled in
the host, not type-checked), ES modules for .mjs, .mts and .js files that
import or export, Lua for .lua. The arguments after the script are the
script's (args in JavaScript, arg in Lua). The script ends when its top
level has returned and no timer, pending promise or serve() keeps it
alive; then the host stops the plugins it spawned.

Plugins dial the address in SWITCHBOARD_ADDR, which spawned plugins get in
their environment. A spawned command that is a Go package directory (such
as examples/plugins/echo) is built with 'go build' first.

The first SIGINT, SIGTERM or SIGHUP cancels the script's calls: the call
in flight and every later one fail with code "canceled", so that the
script's catch, finally and pcall code runs; the script is stopped when it
has not ended within -grace; then the plugins are stopped. A second signal
exits at once (the plugins end with the host). Either way what was built
is removed.

Exit status: 0 when the script succeeded, the code given to exit(code),
1 when it failed (the message names the file and line), 2 for bad usage;
after a signal, 128 plus its number whatever the script did: 130 for
SIGINT, 143 for SIGTERM, 129 for SIGHUP.
`,
	setFlags: func(fs *flag.FlagSet, o *options) {
		setSharedFlags(fs, o)
		fs.DurationVar(&o.grace, "grace", defaultGrace,
			"after a signal, how long the script may clean up before it is stopped")
		fs.BoolVar(&o.summary, "summary", false,
			"at the end, print to stderr a table of the calls per plugin and method (errors by code, p50, p95, max)")
		fs.StringVar(&o.calls, "calls", "", "write every call to `file` as one JSON line (time, plugin, method, trace, duration, outcome, sizes)")
	},
	run: runRun,
}

// defaultGrace is how long a script may clean up after a signal unless
// -grace says otherwise.
const defaultGrace = 5 * time.Second

// langOf returns the language of a script file from its extension.
func langOf(path string) (string, error) {
	switch filepath.Ext(path) {
	case ".js", ".ts", ".mjs", ".mts":
		return "js", nil
	case ".lua":
		return "lua", nil
	}
	return "", usage("cannot tell the language of %q: the script must end in .js, .ts, .mjs, .mts or .lua", path)
}

func runRun(st *state, o *options, args []string) (err error) {
	if len(args) == 0 {
		return usage("no script to run")
	}
	script, scriptArgs := args[0], args[1:]
	if len(scriptArgs) > 0 && scriptArgs[0] == "--" {
		scriptArgs = scriptArgs[1:]
	}
	lang, err := langOf(script)
	if err != nil {
		return err
	}
	if _, err := os.Stat(script); err != nil {
		return fmt.Errorf("script: %w", err)
	}
	// stopCtx ends the script; callsCtx, its calls and the start, ends
	// at the first signal, and stopCtx after the grace period.
	stopCtx, stop := context.WithCancel(context.Background())
	defer stop()
	callsCtx, cancelCalls := context.WithCancel(stopCtx)
	defer cancelCalls()
	var grace *time.Timer
	sigs := st.watchSignals(nil, func(os.Signal) {
		cancelCalls()
		grace = time.AfterFunc(o.grace, stop)
	}, stop)
	defer func() {
		sigs.stop() // grace is set on the goroutine stop waits for
		if grace != nil {
			grace.Stop()
		}
	}()

	sess, err := st.startSession(callsCtx, o, sigs)
	if err != nil {
		return sigs.status(err)
	}
	defer func() { err = sess.end(err) }() // after eng.Close
	rt := sess.newRuntime(st.stdout, st.stderr)
	eng, err := newLangEngine(lang, rt)
	if err != nil {
		return err
	}
	defer eng.Close()
	if callsCtx.Err() != nil {
		return sigs.status(nil) // a signal came before the script began
	}
	defer context.AfterFunc(callsCtx, rt.CancelCalls)()
	return sigs.status(scriptStatus(stopCtx, eng.RunFile(stopCtx, script, scriptArgs)))
}

// scriptStatus turns the error of a script into the host's: exit(code) is
// that status, an interruption says so.
func scriptStatus(ctx context.Context, err error) error {
	var exit *scripting.ExitError
	if errors.As(err, &exit) {
		return &exitStatus{code: exit.Code}
	}
	return interrupted(ctx, err)
}

// interrupted marks err as the result of an interruption when a signal
// ended ctx.
func interrupted(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	return err
}
