package repl

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
)

// Who says its name; a second plugin, beside the NATS one.
type who struct{}

func (who) Who(context.Context, any) (string, error) { return "who", nil }

// A plugin reached through NATS completes as one that dials the host does:
// its name, its methods, its argument's fields, in both languages, with a
// direct plugin in the same registry.
func TestCompleteNATSPlugin(t *testing.T) {
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS server did not start")
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	dial := func() *nats.Conn {
		nc, err := nats.Connect(ns.ClientURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		return nc
	}
	hub := plugintest.NewSocket(t)
	if err := hub.AttachNATS(dial()); err != nil {
		t.Fatal(err)
	}
	plugintest.Connect(t, hub, who{}, &plugin.Info{Name: "whom", Version: "1.0"})
	p, err := plugin.New(plugin.WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	pnc := dial()
	done := make(chan error, 1)
	go func() { done <- p.StartNATS(upper{}, &plugin.Info{Name: "shout", Version: "1.0"}, pnc) }()
	t.Cleanup(func() {
		p.Stop()
		if err := <-done; err != nil {
			t.Errorf("StartNATS: %v", err)
		}
	})
	if !hub.WaitFor("shout", 10*time.Second) || !hub.WaitFor("whom", 10*time.Second) {
		t.Fatal("the plugins were not found")
	}
	if info := hub.PluginInfo("shout"); info == nil || len(info.Instances) != 1 {
		t.Fatalf("shout is not a NATS plugin: %+v", info)
	}

	for lang, fields := range map[string]string{"js": "text: ", "lua": "text = "} {
		t.Run(lang, func(t *testing.T) {
			s := newLiveSession(t, lang, hub)
			for _, tc := range []struct {
				line, head string
				want       []string
			}{
				{`call("sh`, `call("`, []string{`shout"`}},
				{`call("`, `call("`, []string{"shout", "whom"}},
				{`call("shout", "`, `call("shout", "`, []string{`Upper"`}},
				{`call("shout", "Upper", {`, `call("shout", "Upper", {`, []string{fields}},
				{`broadcast("`, `broadcast("`, []string{"Upper", "Who"}},
				{`info("s`, `info("`, []string{`shout"`}},
				{`.info s`, `.info `, []string{"shout"}},
			} {
				head, got, _ := s.r.complete(tc.line, len(tc.line))
				if head != tc.head || !equal(got, tc.want) {
					t.Errorf("complete(%q) = %q, %q; want %q, %q", tc.line, head, got, tc.head, tc.want)
				}
			}
		})
	}
}
