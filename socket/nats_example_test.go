package socket_test

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// A plugin served as a NATS micro service (usually another program whose
// SWITCHBOARD_ADDR is nats://..., on another machine) is called by a socket
// attached to the same NATS system. Here the NATS server, the plugin and
// the socket share one process.
func ExampleSocket_AttachNATS() {
	ns, _ := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
	go ns.Start()
	defer ns.WaitForShutdown()
	defer ns.Shutdown()
	ns.ReadyForConnections(5 * time.Second)

	pc, _ := nats.Connect(ns.ClientURL())
	defer pc.Close()
	p, _ := plugin.New(plugin.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	done := make(chan error)
	go func() { done <- p.StartNATS(&Greeter{}, &plugin.Info{Name: "greeter", Version: "1.0.0"}, pc) }()

	s, _ := socket.New(socket.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	hc, _ := nats.Connect(ns.ClientURL())
	defer hc.Close()
	if err := s.AttachNATS(hc); err != nil {
		fmt.Println(err)
		return
	}
	if !s.WaitFor("greeter", 5*time.Second) {
		fmt.Println("greeter not found")
		return
	}
	out, err := s.Call("trace-1", "greeter", "Hello", "NATS")
	fmt.Println(out, err)
	fmt.Println(len(s.PluginInfo("greeter").Instances), "instance")

	s.Unplug("", "greeter") // stops every instance
	fmt.Println(<-done)
	_ = s.Shutdown("")
	// Output:
	// hello, NATS <nil>
	// 1 instance
	// <nil>
}
