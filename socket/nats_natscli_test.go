package socket_test

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// natscli's `nats micro ls` and `nats micro info` list a plugin served over
// NATS like any micro service. .ci/run installs natscli (go install
// github.com/nats-io/natscli/nats@v0.5.0); where it is not on the PATH the
// test skips.
func TestNATSNatscliListsPlugin(t *testing.T) {
	nats, err := exec.LookPath("nats")
	if err != nil {
		t.Skip("skipping: natscli's nats command is not on the PATH (.ci/run installs it: go install github.com/nats-io/natscli/nats@v0.5.0)")
	}
	ns := startNATS(t, nil)
	serveNATS(t, ns.ClientURL(), "svc", newSvc())
	var list []struct {
		Name     string            `json:"name"`
		ID       string            `json:"id"`
		Metadata map[string]string `json:"metadata"`
	}
	checkFor(t, func() bool {
		out, err := exec.Command(nats, "--server", ns.ClientURL(), "micro", "ls", "--json").Output()
		if err != nil {
			t.Fatalf("nats micro ls: %v", err)
		}
		if err := json.Unmarshal(out, &list); err != nil {
			t.Fatalf("nats micro ls --json printed %q: %v", out, err)
		}
		return len(list) == 1
	}, "one service listed")
	if list[0].Name != "svc" || list[0].Metadata["switchboard"] != "1" {
		t.Fatalf("nats micro ls: %+v", list)
	}
	out, err := exec.Command(nats, "--server", ns.ClientURL(), "micro", "info", "svc", list[0].ID, "--json").Output()
	if err != nil {
		t.Fatalf("nats micro info: %v", err)
	}
	var info struct {
		Info struct {
			Endpoints []struct {
				Name     string            `json:"name"`
				Subject  string            `json:"subject"`
				Metadata map[string]string `json:"metadata"`
			} `json:"endpoints"`
		} `json:"info"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("nats micro info --json printed %q: %v", out, err)
	}
	found := false
	for _, ep := range info.Info.Endpoints {
		if ep.Name == "Upper" && ep.Subject == "switchboard.call.svc."+list[0].ID+".Upper" && ep.Metadata["switchboard.function"] != "" {
			found = true
		}
	}
	if !found {
		t.Fatalf("nats micro info has no Upper endpoint as docs/nats.md describes it: %s", out)
	}
}
