package socket_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// natscli's `nats micro ls`, `nats micro info` and `nats micro stats` show
// a plugin served over NATS like any micro service. .ci/run installs natscli (go install
// github.com/nats-io/natscli/nats@v0.5.0); where it is not on the PATH the
// test skips.
func TestNATSNatscliListsPlugin(t *testing.T) {
	nats, err := exec.LookPath("nats")
	if err != nil {
		t.Skip("skipping: natscli's nats command is not on the PATH (.ci/run installs it: go install github.com/nats-io/natscli/nats@v0.5.0)")
	}
	ns := startNATS(t, nil)
	serveNATS(t, ns.ClientURL(), "svc", newSvc(), plugin.WithNATSInline("Fail"))
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
	checkStats(t, nats, ns.ClientURL())
}

// checkStats calls svc's Upper and Fail through a host, then reads
// `nats micro stats`: both requests are counted, and the inline Fail's
// error too (micro counts errors only of methods served inline).
func checkStats(t *testing.T, nats, url string) {
	t.Helper()
	s := natsHost(t, url)
	if !s.WaitFor("svc", deadline) {
		t.Fatal("the NATS plugin was not found")
	}
	if _, err := s.Call("", "svc", "Upper", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Call("", "svc", "Fail", "boom"); err == nil {
		t.Fatal("Fail did not fail")
	}
	out, err := exec.Command(nats, "--server", url, "micro", "stats", "svc", "--json").Output()
	if err != nil {
		t.Fatalf("nats micro stats: %v", err)
	}
	var stats []struct {
		Endpoints []struct {
			Name      string `json:"name"`
			Requests  int    `json:"num_requests"`
			Errors    int    `json:"num_errors"`
			LastError string `json:"last_error"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(out, &stats); err != nil || len(stats) != 1 {
		t.Fatalf("nats micro stats --json printed %q: %v", out, err)
	}
	got := map[string]string{}
	for _, ep := range stats[0].Endpoints {
		got[ep.Name] = fmt.Sprintf("%d requests, %d errors, %q", ep.Requests, ep.Errors, ep.LastError)
	}
	if got["Upper"] != `1 requests, 0 errors, ""` || !strings.HasPrefix(got["Fail"], "1 requests, 1 errors, ") || !strings.Contains(got["Fail"], "boom") {
		t.Fatalf("nats micro stats: Upper %s, Fail %s", got["Upper"], got["Fail"])
	}
}
