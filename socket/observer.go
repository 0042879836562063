package socket

import (
	"fmt"
	"net"
	"time"
)

// Observer sees what a Socket does, for metrics and monitoring: every call
// as it ends, every broadcast, every async value received, every plugin
// connecting and going away. WithObserver installs one.
//
// The methods are called synchronously, on the goroutine of the call or of
// the plugin's connection, so they must return quickly, must not block and
// must not call the Socket; they may be called from many goroutines at
// once. Arguments are valid only during the call (copy what you keep).
// Without an observer the socket pays one nil check per event.
type Observer interface {
	// CallDone reports a call that has ended, successfully or not,
	// including each plugin's part of a broadcast (with Broadcast set).
	CallDone(c CallRecord)
	// BroadcastDone reports a broadcast that has ended.
	BroadcastDone(b BroadcastRecord)
	// AsyncReceived reports a value a plugin sent on its own, as the
	// plugin sent it (JSON), before it is handed to subscribers. payload
	// must not be changed or kept.
	AsyncReceived(plugin string, payload []byte)
	// Connected reports a plugin that has registered.
	Connected(p PeerRecord)
	// Disconnected reports a registered plugin that has gone away;
	// graceful as in Handlers.Disconnect.
	Disconnected(p PeerRecord, graceful bool)
}

// CallRecord describes one ended call for an Observer.
type CallRecord struct {
	// Plugin, Method and Trace are the call's.
	Plugin, Method, Trace string
	// Start is when the call began; Duration how long it took, from the
	// lookup of the plugin to its answer (or the failure). For a part of
	// a broadcast, both are the broadcast's start to the moment this
	// plugin's answer was collected (answers are collected in turn).
	Start    time.Time
	Duration time.Duration
	// RequestBytes is the size of the JSON payload sent; ResponseBytes
	// the size of the JSON answer (0 when none came; a result that could
	// not be decoded, ErrBadResponse, has its size). An argument Call could
	// not encode (ErrBadArgument) is reported with Duration and both
	// sizes 0: nothing was sent.
	RequestBytes, ResponseBytes int
	// Err is nil on success, else the *CallError the caller got.
	Err error
	// Broadcast is true for one plugin's part of a broadcast.
	Broadcast bool
}

// BroadcastRecord describes one ended broadcast for an Observer.
type BroadcastRecord struct {
	// Method and Trace are the broadcast's.
	Method, Trace string
	// Start and Duration as in CallRecord.
	Start    time.Time
	Duration time.Duration
	// Plugins is how many plugins were sent the request; Failed how many
	// of them failed. A broadcast refused as a whole (socket shut down,
	// payload too large) has Plugins 0 and Err set.
	Plugins, Failed int
	// Err is the error that refused the whole broadcast, or nil.
	Err error
}

// PeerRecord describes a connected plugin for an Observer.
type PeerRecord struct {
	// Name is the registered name; Version the plugin's version.
	Name, Version string
	// Protocol is how the plugin talks to the socket: "brpc" (gob),
	// "jsonrpc" or "nats" (a micro service reached through NATS).
	Protocol string
	// Network is the connection's kind: "tcp", "unix", "pipe" (net.Pipe,
	// a plugin in the same process), "nats" (the plugin's Info lists its
	// instances) or what its address's Network says.
	// Remote is its remote address, when it has one that means something
	// (a TCP client's; empty otherwise).
	Network, Remote string
}

// WithObserver installs o to see every call, broadcast, async value,
// connect and disconnect of the socket (see Observer). A nil o is an
// invalid option. The last WithObserver applied wins.
// It does not block.
func WithObserver(o Observer) Option {
	return func(c *config) error {
		if o == nil {
			return fmt.Errorf("%w: nil observer", ErrInvalidOption)
		}
		c.observer = o
		return nil
	}
}

// observer returns the socket's observer, or nil. It takes no lock.
func (s *Socket) observer() Observer {
	if p := s.obs.Load(); p != nil {
		return *p
	}
	return nil
}

// peerRecord describes p, registered as name, for the observer.
func peerRecord(p peer, name, version string) PeerRecord {
	r := PeerRecord{Name: name, Version: version}
	var nc net.Conn
	switch c := p.(type) {
	case *conn:
		r.Protocol, nc = "brpc", c.nc
	case *jsonConn:
		r.Protocol, nc = "jsonrpc", c.nc
	case *natsPlugin:
		r.Protocol, r.Network = "nats", "nats" // its instances are in its Info
	}
	if nc == nil {
		return r
	}
	if a := nc.RemoteAddr(); a != nil {
		r.Network = a.Network()
		if r.Network != "unix" && r.Network != "pipe" {
			r.Remote = a.String()
		}
	}
	return r
}

// observeCall reports a call to o (not nil) that began at start.
func observeCall(o Observer, trace, name, method string, start time.Time, req, resp []byte, err error, broadcast bool) {
	o.CallDone(CallRecord{Plugin: name, Method: method, Trace: trace, Start: start,
		Duration: time.Since(start), RequestBytes: len(req), ResponseBytes: len(resp), Err: err, Broadcast: broadcast})
}
