package scripting

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-rpc/switchboard/spawn"
)

// Spawn starts a plugin program as a child process (see
// spawn.Spawner.Start); it is stopped when the Runtime closes. Safe from
// any goroutine, so a host can start plugins before a script runs.
// Config.Resolve is not applied. The error wraps ErrBadArgument for an
// empty command or bad options, ErrClosed after Close.
func (rt *Runtime) Spawn(cmd string, args []string, opts spawn.Options) (*spawn.Process, error) {
	p, err := rt.spawn.Start(cmd, args, opts)
	if err != nil {
		return nil, spawnError(cmd, err)
	}
	rt.Track(p)
	return p, nil
}

// SpawnContext is Spawn with the command first passed through
// Config.Resolve (when set) under ctx; spawn() in scripts uses it.
func (rt *Runtime) SpawnContext(ctx context.Context, cmd string, args []string, opts spawn.Options) (*spawn.Process, error) {
	p, err := rt.spawn.StartContext(ctx, cmd, args, opts)
	if err != nil {
		return nil, spawnError(cmd, err)
	}
	rt.Track(p)
	return p, nil
}

// Track makes WaitFor and Call know p as the process of the plugin named
// p.Name: a WaitFor for that name ends as soon as p has exited for good
// without the plugin connected, and a call to it that finds it not
// connected says how p ended (code CodeExited). Spawn and SpawnContext
// track what they start; a host tracks the plugins it started itself. The
// last process tracked under a name is the one that counts. Safe from any
// goroutine; it does not stop p when the Runtime closes.
func (rt *Runtime) Track(p *spawn.Process) {
	rt.procsMu.Lock()
	defer rt.procsMu.Unlock()
	rt.procs[p.Name] = p
}

// process returns the process tracked under name, or nil.
func (rt *Runtime) process(name string) *spawn.Process {
	rt.procsMu.Lock()
	defer rt.procsMu.Unlock()
	return rt.procs[name]
}

// exited returns the error for a plugin that is not connected whose
// tracked process has exited for good: code CodeExited, the message
// saying how it ended, wrapping cause (the socket's error, if any) too.
// nil when no such process.
func (rt *Runtime) exited(name, method string, cause error) *Error {
	p := rt.process(name)
	if p == nil {
		return nil
	}
	ex := p.Exit()
	if ex == nil {
		return nil
	}
	var err error = ex
	if cause != nil {
		err = &alsoError{err: ex, also: cause}
	}
	return &Error{Plugin: name, Method: method, Code: CodeExited, Err: err}
}

// Wait waits for a spawned process to exit, running the loop meanwhile,
// and returns its exit status; ctx's error when ctx ends first.
func (rt *Runtime) Wait(ctx context.Context, p *spawn.Process) (int, error) {
	if code, ok := p.ExitStatus(); ok {
		return code, nil
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	exited := false
	finish := rt.loop.Reserve()
	rt.goWork(func() {
		_, err := p.Wait(wctx)
		finish(func() { exited = err == nil })
	})
	if err := rt.loop.RunUntil(ctx, time.Time{}, func() bool { return exited }); err != nil {
		return 0, err
	}
	code, _ := p.ExitStatus()
	return code, nil
}

// spawnOptions is the JSON form of spawn.Options.
type spawnOptions struct {
	Dir         string            `json:"dir"`
	Env         map[string]string `json:"env"`
	Name        string            `json:"name"`
	Restart     string            `json:"restart"`
	MaxRestarts int               `json:"maxRestarts"`
}

// ParseSpawnOptions decodes the opts object of spawn from its JSON form:
// {"dir": "...", "env": {"K": "V"}, "name": "...", "restart": "on-failure",
// "maxRestarts": 3}. Empty input and null give the zero options; unknown
// fields and a bad restart policy are an error wrapping ErrBadArgument.
func ParseSpawnOptions(raw []byte) (spawn.Options, error) {
	if isNull(raw) {
		return spawn.Options{}, nil
	}
	var in spawnOptions
	if err := decodeStrict(raw, &in); err != nil {
		return spawn.Options{}, badArgument("spawn options: %v", err)
	}
	o := spawn.Options(in)
	if err := o.Validate(); err != nil {
		return spawn.Options{}, spawnError("", err)
	}
	return o, nil
}

// spawnError adds this package's sentinel to an error of package spawn's,
// keeping its text: ErrBadArgument to spawn.ErrBadArgument, ErrClosed to
// spawn.ErrClosed. Other errors, and nil, are returned as they are.
func spawnError(cmd string, err error) error {
	switch {
	case errors.Is(err, spawn.ErrBadArgument):
		return &alsoError{err: err, also: ErrBadArgument}
	case errors.Is(err, spawn.ErrClosed):
		return &alsoError{err: err, also: ErrClosed}
	}
	return &textError{err: err, text: startFailure(cmd, err)}
}

// startFailure says why cmd did not start, naming it once and first (the
// socket's, os/exec's and the builder's errors each name it again): "X is
// a directory that is neither a Go package nor an executable", "X not
// found in $PATH", "X did not build: ...".
func startFailure(cmd string, err error) string {
	msg := err.Error()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		// The builder's go build failed: its output follows.
		if i := strings.Index(msg, "building "+cmd+": "); i >= 0 {
			msg = msg[i+len("building "+cmd+": "):]
		}
		return cmd + " did not build: " + msg
	case errors.Is(err, exec.ErrNotFound):
		return cmd + " not found in $PATH"
	case errors.Is(err, fs.ErrNotExist):
		return cmd + " does not exist"
	}
	if fi, serr := os.Stat(cmd); serr == nil {
		switch {
		case fi.IsDir():
			return cmd + " is a directory that is neither a Go package (it has no .go files) nor an executable"
		case errors.Is(err, fs.ErrPermission):
			return cmd + " is not executable"
		}
	}
	for _, p := range []string{"spawn " + cmd + ": ", "exec: " + strconv.Quote(cmd) + ": "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return cmd + " did not start: " + msg
}

// alsoError is err that also matches the sentinel also.
type alsoError struct{ err, also error }

func (e *alsoError) Error() string   { return e.err.Error() }
func (e *alsoError) Unwrap() []error { return []error{e.err, e.also} }
