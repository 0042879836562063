package brpc

import (
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Methods of the protocol, which plugins cannot serve: MethodAsync carries a
// value a plugin sends on its own, MethodShutdown a stop request.
const (
	MethodAsync    = "Async"
	MethodShutdown = "Shutdown"
)

// Errors a call can fail with, brpc's texts. They are the socket's (and
// the SDK's) sentinels themselves: errors.Is(err, socket.ErrShutdown) holds
// for ErrShutdown too.
var (
	// ErrShutdown ("connection is shut down") means the socket, or the
	// plugin called, is shutting down.
	ErrShutdown = socket.ErrShutdown
	// ErrMethodNotFound ("method not found") is a plugin's answer to a
	// method it does not serve.
	ErrMethodNotFound = socket.ErrMethodNotFound
)

// PluginInfo describes a plugin: its name, its version and the methods it
// serves. It is plugin.Info; DeepCopy(full) copies it, with the methods only
// when full is true.
type PluginInfo = plugin.Info

// Function describes one method of a plugin. It is plugin.Function.
type Function = plugin.Function

// Entity describes a type of a method's argument or result. It is
// plugin.Entity.
type Entity = plugin.Entity

// TypeDescription describes the type of v for the handshake, as
// plugin.TypeDescription does: struct fields under their JSON names (by
// encoding/json's rules, dominance included), omitempty fields not
// mandatory, fields tagged `brpc:"-"` left out. It does not block.
//
// brpc's names the kind of an interface "interface" and of a []uint8
// "[]uint8"; this one says "any" and "[]byte".
func TypeDescription(v any) *Entity { return plugin.TypeDescription(v) }

// AsyncData is a value a plugin sent on its own (through its async hook),
// with the name of the plugin. Payload is decoded from JSON into Go values
// (maps, slices, float64, string, bool, nil).
type AsyncData struct {
	Name    string `json:"name,omitempty"`
	Payload any    `json:"payload,omitempty"`
}

// Envelope is the shape of a request and of its answer on the wire: the
// sequence number that pairs them, the trace id, the method, the error
// text and the JSON payload. brpc uses it internally; this package encodes
// the wire with switchboard's own bounded codec and never uses it. It is
// here so that code naming the type compiles.
type Envelope struct {
	Seq     uint64
	Trace   string
	Method  string
	Error   string
	Payload []byte
}
