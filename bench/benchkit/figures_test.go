package benchkit

import (
	"testing"

	"github.com/switchboard-rpc/switchboard/monitor"
)

// tiny is a suite configuration that runs each figure a few times, fast:
// what it measures is not looked at, only that it is measured.
var tiny = Config{Rounds: 2, Time: 1}

// checkRows fails unless rows has want rows, each with a value, a
// baseline and a ratio.
func checkRows(t *testing.T, rows []Row, want int) {
	t.Helper()
	if len(rows) != want {
		t.Fatalf("%d rows, want %d: %+v", len(rows), want, rows)
	}
	for _, r := range rows {
		if r.Value == "" || r.Baseline == "" || r.Ratio == "" {
			t.Errorf("row %q lacks a figure: %+v", r.Figure, r)
		}
	}
}

func TestNATSRowsMeasureACallAndTheRawRequest(t *testing.T) {
	cfg := tiny
	cfg.defaults()
	rows, err := natsRows(cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, rows, 4)
}

func TestNATSCallsAndRawAnswerEveryCaller(t *testing.T) {
	n, err := NewNATS()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if _, err := n.Calls(200, 64); err != nil {
		t.Errorf("Calls: %v", err)
	}
	if _, err := n.InlineCalls(200, 64); err != nil {
		t.Errorf("InlineCalls: %v", err)
	}
	if _, err := n.Raw(200, 64); err != nil {
		t.Errorf("Raw: %v", err)
	}
}

func TestMonitorRowsMeasureObservedUnobservedAndControl(t *testing.T) {
	cfg := tiny
	cfg.defaults()
	m := monitor.New(monitor.Config{})
	rows, err := monitorRows(cfg, m)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, rows, 4)
	// The observed socket's calls reached the monitor.
	if len(m.Calls()) == 0 {
		t.Error("the monitor saw no call")
	}
}

func TestNewMonitoredRefusesANilObserver(t *testing.T) {
	if _, err := NewMonitored(nil); err == nil {
		t.Error("NewMonitored(nil): no error")
	}
}
