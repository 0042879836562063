//go:build unix

package proctest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

// Gone reports whether pid has ended: no such process, or (where there is
// a /proc) a zombie nobody has reaped yet (an orphan's new parent may be
// slow to, or never do it).
func Gone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		// Gone since kill looked, unless there is no /proc here at all.
		_, noProc := os.Stat("/proc/self/stat")
		return noProc == nil && errors.Is(err, os.ErrNotExist)
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// WaitGone waits, with a deadline, until pid has ended.
func WaitGone(t testing.TB, pid int) {
	t.Helper()
	WaitFor(t, 10*time.Second, func() error {
		if !Gone(pid) {
			return fmt.Errorf("process %d is still running", pid)
		}
		return nil
	})
}
