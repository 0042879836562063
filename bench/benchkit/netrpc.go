package benchkit

import (
	"errors"
	"net"
	"net/rpc"
	"sync"
	"time"
)

// NetRPC is Go's net/rpc as a peer in the same run: a server with the same
// typed Echo over loopback TCP, and one client (net/rpc multiplexes its
// callers on one connection, as the socket does).
type NetRPC struct {
	lis    net.Listener
	client *rpc.Client
	srv    sync.WaitGroup
}

// EchoService is net/rpc's form of Echo.
type EchoService struct{}

// Echo sets out to in.
func (EchoService) Echo(in Text, out *Text) error { *out = in; return nil }

// NewNetRPC starts a net/rpc server with EchoService and connects a client.
func NewNetRPC() (*NetRPC, error) {
	srv := rpc.NewServer()
	if err := srv.RegisterName("Echo", EchoService{}); err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &NetRPC{lis: lis}
	r.srv.Add(1)
	go func() {
		defer r.srv.Done()
		var conns sync.WaitGroup
		defer conns.Wait()
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer conns.Done()
				srv.ServeConn(c)
			}()
		}
	}()
	c, err := rpc.Dial("tcp", lis.Addr().String())
	if err != nil {
		_ = lis.Close()
		r.srv.Wait()
		return nil, err
	}
	r.client = c
	return r, nil
}

// Close closes the client and the server.
func (r *NetRPC) Close() {
	_ = r.client.Close()
	_ = r.lis.Close()
	r.srv.Wait()
}

// Calls makes n calls of Echo with Text{Sample}, shared among callers
// concurrent callers, and returns how long they took.
func (r *NetRPC) Calls(n, callers int) (time.Duration, error) {
	arg := Text{Sample}
	return spread(n, callers, func(int) error {
		var out Text
		if err := r.client.Call("Echo.Echo", arg, &out); err != nil {
			return err
		}
		if out.Text != Sample {
			return errors.New("net/rpc echo returned another text")
		}
		return nil
	})
}
