package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/switchboard-rpc/switchboard/scripting"
)

var runCommand = &command{
	name:      "run",
	usageLine: "run [flags] SCRIPT.js|SCRIPT.lua [--] [args...]",
	short:     "run a workflow script",
	long: `
Run listens for plugins, starts those of -spawn, waits for those of -wait,
and runs the script: JavaScript for .js, Lua for .lua. The arguments after
the script are the script's (args in JavaScript, arg in Lua). The script
ends when its top level has returned and no timer, pending promise or
serve() keeps it alive; then the host stops the plugins it spawned.

Plugins dial the address in SWITCHBOARD_ADDR, which spawned plugins get in
their environment. A spawned command that is a Go package directory (such
as examples/plugins/echo) is built with 'go build' first.

The first SIGINT or SIGTERM cancels the script and shuts down gracefully;
a second one exits at once.

Exit status: 0 when the script succeeded, the code given to exit(code),
1 when it failed (the message names the file and line), 2 for bad usage.
`,
	setFlags: setSharedFlags,
	run:      runRun,
}

// langOf returns the language of a script file from its extension.
func langOf(path string) (string, error) {
	switch filepath.Ext(path) {
	case ".js":
		return "js", nil
	case ".lua":
		return "lua", nil
	}
	return "", usage("cannot tell the language of %q: the script must end in .js or .lua", path)
}

func runRun(st *state, o *options, args []string) error {
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopSignals := st.watchSignals(nil, cancel)
	defer stopSignals()

	sess, err := st.startSession(ctx, o)
	if err != nil {
		return err
	}
	defer sess.close()
	eng, err := sess.newEngine(lang)
	if err != nil {
		return err
	}
	defer eng.Close()
	return scriptStatus(ctx, eng.RunFile(ctx, script, scriptArgs))
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
