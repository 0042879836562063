package socket_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Greeter is a plugin: its exported methods of the form
// func(ctx, in) (out, error) are what the socket can call.
type Greeter struct{}

func (*Greeter) Hello(_ context.Context, name string) (string, error) {
	return "hello, " + name, nil
}

func (*Greeter) Shout(_ context.Context, in map[string]string) (map[string]string, error) {
	return map[string]string{"text": strings.ToUpper(in["text"])}, nil
}

// The socket serves a listener; a plugin (here in the same process, usually
// another program calling plugin.Serve) dials in; the socket calls it.
func Example() {
	s, _ := socket.New()
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	s.Serve(lis)

	conn, _ := net.Dial("tcp", lis.Addr().String())
	done := make(chan error)
	go func() { done <- new(plugin.Plugin).Start(&Greeter{}, &plugin.Info{Name: "greeter"}, conn, nil) }()

	if !s.WaitFor("greeter", 5*time.Second) {
		fmt.Println("greeter did not connect")
		return
	}
	out, err := s.Call("trace-1", "greeter", "Hello", "world")
	fmt.Println(out, err)

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	out, err = s.CallContext(ctx, "", "greeter", "Shout", map[string]string{"text": "hi"})
	fmt.Println(out, err)

	_, err = s.Call("", "greeter", "Missing", nil)
	fmt.Println(err)

	_ = s.Shutdown("bye") // stops the plugin gracefully
	fmt.Println("plugin stopped:", <-done)
	// Output:
	// hello, world <nil>
	// map[text:HI] <nil>
	// greeter.Missing: method not found
	// plugin stopped: <nil>
}

// Subscriptions see plugins come and go, and the values they send.
func ExampleSocket_Subscribe() {
	s, _ := socket.New()
	events := make(chan string, 4)
	stop := s.Subscribe(socket.Handlers{
		Connect: func(info *plugin.Info) { events <- "connect " + info.Name },
		Disconnect: func(info *plugin.Info, graceful bool) {
			events <- fmt.Sprint("disconnect ", info.Name, " graceful=", graceful)
		},
	})
	defer stop()

	a, b := net.Pipe()
	s.ServeConn(a) // an in-process plugin, no network needed
	done := make(chan error)
	go func() { done <- new(plugin.Plugin).Start(&Greeter{}, &plugin.Info{Name: "greeter"}, b, nil) }()
	fmt.Println(<-events)
	s.Unplug("", "greeter")
	fmt.Println(<-events)
	<-done
	_ = s.Shutdown("")
	// Output:
	// connect greeter
	// disconnect greeter graceful=true
}
