package spawn_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/internal/proctest"
	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
)

// envCrashes ("path:n") makes the test binary, started as a child, exit
// with crashStatus at once the first n times it is started, counting its
// starts as lines in the file at path, and exit 0 after that.
const envCrashes = "SPAWNTEST_CRASHES"

// crashStatus is the exit status of a child made to crash by envCrashes.
const crashStatus = 3

func TestMain(m *testing.M) {
	if spec := os.Getenv(envCrashes); spec != "" {
		if proctest.CrashNow(spec) {
			fmt.Fprintln(os.Stderr, "crashing on purpose")
			os.Exit(crashStatus)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func newTextLogger(w *syncbuf.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil))
}
