package scripting_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestParseCallOptions(t *testing.T) {
	for in, want := range map[string]scripting.CallOptions{
		``:                                  {},
		`null`:                              {},
		`{}`:                                {},
		`{"timeout": 1500}`:                 {Timeout: 1500 * time.Millisecond},
		`{"timeout": 0.5}`:                  {Timeout: 500 * time.Microsecond},
		`{"timeout": "1.5s", "trace": "x"}`: {Timeout: 1500 * time.Millisecond, Trace: "x"},
	} {
		got, err := scripting.ParseCallOptions([]byte(in))
		if err != nil || got != want {
			t.Errorf("ParseCallOptions(%s) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{`{"timeout": -1}`, `{"timeout": "-1s"}`, `{"timeout": "soon"}`, `{"timeout": true}`,
		`{"timout": 1}`, `{"trace": 5}`, `[1]`, `"x"`, `{"timeout": 1e300}`} {
		if _, err := scripting.ParseCallOptions([]byte(in)); !errors.Is(err, scripting.ErrBadArgument) {
			t.Errorf("ParseCallOptions(%s): %v, want ErrBadArgument", in, err)
		}
	}
}

func TestParseSpawnOptions(t *testing.T) {
	o, err := scripting.ParseSpawnOptions([]byte(`{"dir": "/tmp", "env": {"A": "1"}, "name": "n"}`))
	if err != nil || o.Dir != "/tmp" || o.Env["A"] != "1" || o.Name != "n" {
		t.Errorf("got %+v, %v", o, err)
	}
	if _, err := scripting.ParseSpawnOptions([]byte(`{"cwd": "/"}`)); !errors.Is(err, scripting.ErrBadArgument) {
		t.Errorf("unknown field: %v", err)
	}
}

func TestCode(t *testing.T) {
	call := func(err error) error { return &socket.CallError{Plugin: "p", Method: "m", Err: err} }
	for err, want := range map[error]string{
		nil:                            "",
		call(socket.ErrPluginNotFound): scripting.CodeNotConnected,
		call(&socket.RemoteError{Message: "method not found"}): scripting.CodeMethodNotFound,
		call(socket.ErrMethodNotFound):                         scripting.CodeMethodNotFound,
		call(&socket.RemoteError{Message: "panic: x"}):         scripting.CodePanic,
		call(context.DeadlineExceeded):                         scripting.CodeTimeout,
		call(context.Canceled):                                 scripting.CodeCanceled,
		call(socket.ErrDisconnected):                           scripting.CodeDisconnected,
		call(socket.ErrShutdown):                               scripting.CodeShutdown,
		call(&socket.RemoteError{Message: "no such key"}):      scripting.CodeRemote,
		fmt.Errorf("x: %w", scripting.ErrBadArgument):          scripting.CodeBadArgument,
		errors.New("other"):                                    scripting.CodeError,
	} {
		if got := scripting.Code(err); got != want {
			t.Errorf("Code(%v) = %q, want %q", err, got, want)
		}
	}
	e := scripting.NewError("p", "m", call(&socket.RemoteError{Message: "boom"}))
	if e.Error() != "p.m: boom" || e.Code != scripting.CodeRemote || !errors.As(e, new(*socket.RemoteError)) {
		t.Errorf("NewError: %q %q", e.Error(), e.Code)
	}
}

func TestScriptError(t *testing.T) {
	se := &scripting.ScriptError{File: "a.js", Line: 3, Message: "Error: x", Stack: "\tat a.js:3:1\n", Err: scripting.ErrBadArgument}
	if se.Error() != "a.js:3: Error: x\n\tat a.js:3:1" || !errors.Is(se, scripting.ErrBadArgument) {
		t.Errorf("%q", se.Error())
	}
	if (&scripting.ExitError{Code: 2}).Error() != "exit status 2" {
		t.Error("ExitError text")
	}
}
