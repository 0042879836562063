// Package proctest holds helpers for tests that start real processes:
// polling for an event with a deadline, finding the test binary, reading
// the pid a child wrote, telling whether a process has ended, and a child
// that crashes on purpose. It is for tests only.
package proctest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// WaitFor polls cond every few milliseconds until it returns nil or d
// passes, then fails the test with cond's last error.
func WaitFor(t testing.TB, d time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", d, err)
		}
		time.Sleep(5 * time.Millisecond) // polling, not synchronising
	}
}

// Executable returns the path of the running test binary, which tests
// start as a child of their own.
func Executable(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// ReadPid reads the pid a child wrote to path.
func ReadPid(t testing.TB, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %q: %v", b, err)
	}
	return pid
}

// CrashNow counts this start of the process in the file of spec
// ("path:n"), one line a start, and reports whether it is one of the
// first n: a test binary started as a child crashes those times. It
// panics on a malformed spec or a file it cannot write.
func CrashNow(spec string) bool {
	path, count, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(count)
	if err != nil {
		panic(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fprintln(f, os.Getpid())
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return strings.Count(string(b), "\n") <= n
}
