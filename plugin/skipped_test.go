package plugin_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/plugin"
)

type text string

// loudOnly has one method, whose argument type is unexported.
type loudOnly struct{}

func (*loudOnly) Loud(_ context.Context, s text) (string, error) {
	return strings.ToUpper(string(s)), nil
}

// TestStartWarnsOfSkippedMethods: Start logs one warning per exported
// method it does not serve, saying why, and serves the others.
func TestStartWarnsOfSkippedMethods(t *testing.T) {
	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	_, hello, _ := startRaw(t, &badShapes{}, &plugin.Info{Name: "shapes"}, plugin.WithLogger(log))
	if len(hello.Functions) != 1 || hello.Functions["StringOut"].Name != "StringOut" {
		t.Errorf("served %v, want StringOut only", hello.Functions)
	}
	want := map[string]string{
		"NoCtx":    "want func(ctx context.Context, in T1) (T2, error), not func(int) (int, error)",
		"ChanIn":   "argument type chan int cannot travel as JSON",
		"FuncOut":  "result type func() cannot travel as JSON",
		"IfaceIn":  "argument type error is an interface with methods",
		"ThreeOut": "want func(ctx context.Context, in T1) (T2, error), not func(context.Context, int) (int, int, error)",
		"NotErr":   "the second result is string, not error",
		"Second":   "want func(ctx context.Context, in T1) (T2, error), not func(context.Context, int, int) (int, error)",
		"PrivType": "argument type plugin_test.privateArg is not exported",
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var warned []string
	for _, l := range lines {
		if strings.Contains(l, "level=WARN") && strings.Contains(l, "method not served") {
			warned = append(warned, l)
		}
	}
	if len(warned) != len(want) {
		t.Errorf("%d warnings, want %d:\n%s", len(warned), len(want), logs.String())
	}
	for name, why := range want {
		found := false
		for _, l := range warned {
			if strings.Contains(l, "method not served: "+name+": "+why) && strings.Contains(l, "method="+name) {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning %q for %s in:\n%s", why, name, logs.String())
		}
	}
}

// TestNoMethodErrorListsSkipped: when no method qualifies, the error says
// why each exported one was skipped, and nothing is logged twice.
func TestNoMethodErrorListsSkipped(t *testing.T) {
	var logs syncbuf.Buffer
	p, err := plugin.New(plugin.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	defer a.Close()
	err = p.Start(&loudOnly{}, &plugin.Info{Name: "loud"}, b, nil)
	if !errors.Is(err, plugin.ErrNoMethods) {
		t.Fatalf("Start = %v, want ErrNoMethods", err)
	}
	if want := "skipped: Loud: argument type plugin_test.text is not exported"; !strings.Contains(err.Error(), want) {
		t.Errorf("Start = %v, want it to mention %q", err, want)
	}
	if logs.String() != "" {
		t.Errorf("logged besides the error:\n%s", logs.String())
	}
}
