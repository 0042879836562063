package scripting

import (
	"context"
	"errors"
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
	return p, spawnError(err)
}

// SpawnContext is Spawn with the command first passed through
// Config.Resolve (when set) under ctx; spawn() in scripts uses it.
func (rt *Runtime) SpawnContext(ctx context.Context, cmd string, args []string, opts spawn.Options) (*spawn.Process, error) {
	p, err := rt.spawn.StartContext(ctx, cmd, args, opts)
	return p, spawnError(err)
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
		return spawn.Options{}, spawnError(err)
	}
	return o, nil
}

// spawnError adds this package's sentinel to an error of package spawn's,
// keeping its text: ErrBadArgument to spawn.ErrBadArgument, ErrClosed to
// spawn.ErrClosed. Other errors, and nil, are returned as they are.
func spawnError(err error) error {
	switch {
	case errors.Is(err, spawn.ErrBadArgument):
		return &alsoError{err: err, also: ErrBadArgument}
	case errors.Is(err, spawn.ErrClosed):
		return &alsoError{err: err, also: ErrClosed}
	}
	return err
}

// alsoError is err that also matches the sentinel also.
type alsoError struct{ err, also error }

func (e *alsoError) Error() string   { return e.err.Error() }
func (e *alsoError) Unwrap() []error { return []error{e.err, e.also} }
