package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// fakeState is a state for in-process runs: no real signals, exit recorded.
func fakeState(args ...string) (*state, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	st := &state{
		args:       args,
		environ:    []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")},
		stdin:      strings.NewReader(""),
		stdout:     &out,
		stderr:     &errb,
		notify:     func(chan<- os.Signal, ...os.Signal) {},
		stopNotify: func(chan<- os.Signal) {},
		exit:       func(int) { panic("exit called") },
	}
	return st, &out, &errb
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		stdout string // substring, "" for empty output
		stderr string // substring, "" for empty output
	}{
		{args: nil, status: 2, stderr: "The commands are:"},
		{args: []string{"help"}, status: 0, stdout: "Use \"switchboard help <command>\""},
		{args: []string{"-h"}, status: 0, stdout: "The commands are:"},
		{args: []string{"help", "run"}, status: 0, stdout: "usage: switchboard run [flags] SCRIPT.js|SCRIPT.ts|SCRIPT.lua"},
		{args: []string{"help", "nope"}, status: 2, stderr: `unknown help topic "nope"`},
		{args: []string{"help", "a", "b"}, status: 2, stderr: "usage: switchboard help [command]"},
		{args: []string{"run", "-h"}, status: 0, stdout: "-spawn 'cmd args'"},
		{args: []string{"repl", "--help"}, status: 0, stdout: "-lang language"},
		{args: []string{"version", "-h"}, status: 0, stdout: "usage: switchboard version"},
		{args: []string{"bogus"}, status: 2, stderr: "switchboard: unknown command \"bogus\"\nRun 'switchboard help' for usage."},
		{args: []string{"run"}, status: 2, stderr: "switchboard: no script to run\nusage: switchboard run"},
		{args: []string{"run", "script.py"}, status: 2, stderr: "must end in .js, .ts, .mjs, .mts or .lua"},
		{args: []string{"run", "-nope", "x.js"}, status: 2, stderr: "flag provided but not defined: -nope"},
		{args: []string{"run", "-tls-cert", "c.pem", "x.js"}, status: 2, stderr: "-tls-cert and -tls-key go together"},
		{args: []string{"run", "-wait", "x", "-wait-timeout", "0s", "x.js"}, status: 2, stderr: "-wait-timeout must be positive"},
		{args: []string{"run", "-log-level", "loud", "x.js"}, status: 2, stderr: "invalid value \"loud\" for flag -log-level"},
		{args: []string{"run", "-max-plugins", "0", "x.js"}, status: 2, stderr: "-max-plugins and -max-in-flight must be at least 1"},
		{args: []string{"run", "-max-in-flight", "-1", "x.js"}, status: 2, stderr: "-max-plugins and -max-in-flight must be at least 1"},
		{args: []string{"repl", "-lang", "py"}, status: 2, stderr: "-lang must be js or lua"},
		{args: []string{"repl", "extra"}, status: 2, stderr: "repl takes no arguments"},
		{args: []string{"version", "extra"}, status: 2, stderr: "version takes no arguments"},
		{args: []string{"version"}, status: 0, stdout: "switchboard "},
		{args: []string{"run", "does-not-exist.js"}, status: 1, stderr: "switchboard: script: stat does-not-exist.js"},
		{args: []string{"run", "-listen", "0.0.0.0:0", "testdata/ok.js"}, status: 2,
			stderr: "refusing to listen on a non-loopback address without -token or -tls-cert (pass -insecure to do it anyway): 0.0.0.0:0\n"},
	}
	for _, tt := range tests {
		st, out, errb := fakeState(tt.args...)
		status := st.main()
		if status != tt.status {
			t.Errorf("switchboard %q: status %d, want %d (stderr %q)", tt.args, status, tt.status, errb)
		}
		check := func(stream, got, want string) {
			if want == "" && got != "" {
				t.Errorf("switchboard %q: unexpected %s %q", tt.args, stream, got)
			}
			if !strings.Contains(got, want) {
				t.Errorf("switchboard %q: %s = %q, want it to contain %q", tt.args, stream, got, want)
			}
		}
		check("stdout", out.String(), tt.stdout)
		check("stderr", errb.String(), tt.stderr)
	}
}

func TestRefusalIsOneLine(t *testing.T) {
	st, _, errb := fakeState("run", "-listen", ":0", "testdata/ok.js")
	st.main()
	first, _, _ := strings.Cut(errb.String(), "\n")
	if !strings.Contains(first, "refusing to listen") || !strings.Contains(first, "-insecure") {
		t.Errorf("first line %q does not say why and what to do", first)
	}
}

func TestTokenFromEnvironment(t *testing.T) {
	st, _, _ := fakeState()
	st.environ = append(st.environ, "SWITCHBOARD_TOKEN=s3cret")
	o := &options{}
	fs := newFlagSet(runCommand, o)
	if err := fs.Parse([]string{"x.js"}); err != nil {
		t.Fatal(err)
	}
	if err := o.finish(fs, st); err != nil {
		t.Fatal(err)
	}
	if o.token != "s3cret" {
		t.Errorf("token = %q, want it from $SWITCHBOARD_TOKEN", o.token)
	}
	o = &options{}
	fs = newFlagSet(runCommand, o)
	fs.Parse([]string{"-token", "flag", "x.js"})
	o.finish(fs, st)
	if o.token != "flag" {
		t.Errorf("token = %q, want the flag's", o.token)
	}
}

func TestHelpDoesNotShowTheToken(t *testing.T) {
	st, out, _ := fakeState("run", "-h")
	st.environ = append(st.environ, "SWITCHBOARD_TOKEN=s3cret")
	st.main()
	if strings.Contains(out.String(), "s3cret") {
		t.Error("help prints the token")
	}
}

func TestHistoryFile(t *testing.T) {
	st, _, _ := fakeState()
	st.environ = append(st.environ, "XDG_STATE_HOME=/state")
	if got := historyFile(st, &options{}, "js"); got != "/state/switchboard/history.js" {
		t.Errorf("historyFile = %q", got)
	}
	if got := historyFile(st, &options{}, "lua"); got != "/state/switchboard/history.lua" {
		t.Errorf("historyFile of lua = %q", got)
	}
	if got := historyFile(st, &options{history: "/h"}, "lua"); got != "/h" {
		t.Errorf("historyFile with -history = %q", got)
	}
	if got := historyFile(st, &options{history: "off"}, "js"); got != "" {
		t.Errorf("historyFile with -history off = %q", got)
	}
}
