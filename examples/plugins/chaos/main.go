// Command chaos is an example switchboard plugin that misbehaves on request,
// to see how a host and its scripts cope.
//
// Methods (payload → result):
//
//	Fail  {message}  → error with that message
//	Panic {message}  → the method panics; the caller gets "panic: message"
//	                   and the plugin goes on serving
//	Hang  {ms}       → answers {slept_ms} after ms milliseconds, or never
//	                   when ms is 0; a cancelled call or a stop request ends
//	                   it at once with the context's error
//	Crash {code}     → the process exits with that status without answering,
//	                   as a crash would (the host sees an ungraceful disconnect)
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// Request is the argument of Fail and Panic.
type Request struct {
	Message string `json:"message,omitempty"`
}

// Wait is the argument of Hang.
type Wait struct {
	MS int `json:"ms,omitempty"`
}

// Slept is the result of Hang.
type Slept struct {
	SleptMS int `json:"slept_ms"`
}

// Exit is the argument of Crash.
type Exit struct {
	Code int `json:"code,omitempty"`
}

// Chaos serves the methods; it has no state.
type Chaos struct{}

// Fail returns an error with the message (default "failed on request").
func (Chaos) Fail(_ context.Context, in Request) (struct{}, error) {
	if in.Message == "" {
		in.Message = "failed on request"
	}
	return struct{}{}, errors.New(in.Message)
}

// Panic panics with the message (default "panicked on request").
func (Chaos) Panic(_ context.Context, in Request) (struct{}, error) {
	if in.Message == "" {
		in.Message = "panicked on request"
	}
	panic(in.Message)
}

// Hang waits ms milliseconds (for ever when ms is 0) or until ctx is done.
func (Chaos) Hang(ctx context.Context, in Wait) (Slept, error) {
	var after <-chan time.Time
	if in.MS > 0 {
		after = time.After(time.Duration(in.MS) * time.Millisecond)
	}
	select {
	case <-ctx.Done():
		return Slept{}, fmt.Errorf("hang interrupted: %w", ctx.Err())
	case <-after:
		return Slept{SleptMS: in.MS}, nil
	}
}

// Crash ends the process at once with the code (default 3).
func (Chaos) Crash(_ context.Context, in Exit) (struct{}, error) {
	if in.Code == 0 {
		in.Code = 3
	}
	fmt.Fprintf(os.Stderr, "chaos: crashing with status %d on request\n", in.Code)
	os.Exit(in.Code)
	return struct{}{}, nil
}

func main() {
	if err := plugin.Serve(&Chaos{}, &plugin.Info{Name: "chaos", Version: "1.0.0"}); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
}
