package brpc_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/switchboard-rpc/switchboard/compat/brpc"
)

// Greeter is a plugin written for brpc: a method of brpc's form and brpc's
// async hook.
type Greeter struct{ hook chan any }

// UseAsyncHook receives the channel whose values go to the socket's Async.
func (g *Greeter) UseAsyncHook(hook chan any) { g.hook = hook }

// Hello announces the greeting on the hook, then returns it.
func (g *Greeter) Hello(_ context.Context, who string) (string, error) {
	g.hook <- "greeting " + who
	return "hello, " + who, nil
}

// Example is a program written for brpc, socket and plugin in one process,
// with only the import path changed to the drop-in's.
func Example() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	s := new(brpc.Socket)
	s.Serve(lis)
	gone := make(chan string, 1)
	s.RegisterCallback(func(info *brpc.PluginInfo, graceful bool) {
		gone <- fmt.Sprintf("%s disconnected, graceful: %v", info.Name, graceful)
	})

	// The plugin dials the socket and serves until it is unplugged.
	served := make(chan error, 1)
	go func() {
		conn, err := net.Dial("tcp", lis.Addr().String())
		if err != nil {
			served <- err
			return
		}
		info := &brpc.PluginInfo{Name: "greeter", Version: "1.0.0"}
		served <- new(brpc.Plugin).Start(&Greeter{}, info, conn, nil)
	}()

	if !s.WaitFor("greeter", 10*time.Second) {
		panic("greeter did not connect")
	}
	resp, err := s.Call("trace-1", "greeter", "Hello", "brpc user")
	fmt.Println(resp, err)
	async, err := s.Async()
	fmt.Println(async.Name, async.Payload, err)
	for name, info := range s.Connected(false) {
		fmt.Println("connected:", name, info.Version)
	}
	s.Unplug("trace-2", "greeter")
	fmt.Println(<-gone)
	fmt.Println("plugin ended:", <-served)
	if err := s.Shutdown("trace-3"); err != nil {
		panic(err)
	}
	// Output:
	// hello, brpc user <nil>
	// greeter greeting brpc user <nil>
	// connected: greeter 1.0.0
	// greeter disconnected, graceful: true
	// plugin ended: <nil>
}
