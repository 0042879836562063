package jsonrpc

import (
	"bytes"
	"encoding/json"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
)

// Error codes of JSON-RPC 2.0 and of switchboard's dialect.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
	// CodeRejected is the error of a registration the host refused.
	CodeRejected = -32001
	// CodeShutdown is a plugin's answer to a call it refuses because it
	// is stopping.
	CodeShutdown = -32002
)

// Message is any JSON-RPC 2.0 message, as read: which fields are set tells a
// request (Method and ID), a notification (Method, no ID) and a response
// (ID, and Result or Error) apart.
type Message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// Error is a JSON-RPC error object.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// HasID reports whether m carries an id (null counts as none).
func (m *Message) HasID() bool {
	return len(m.ID) > 0 && !bytes.Equal(m.ID, []byte("null"))
}

// Single returns the one value params carry: the element of a one-element
// array, an object itself, null for no params or an empty array, and any
// other array as it is (several positional values make a list).
func Single(params json.RawMessage) json.RawMessage {
	p := bytes.TrimSpace(params)
	switch {
	case len(p) == 0:
		return json.RawMessage("null")
	case p[0] != '[':
		return p
	}
	start := jsontok.SkipSpace(p, 1)
	if start < len(p) && p[start] == ']' {
		if start+1 == len(p) {
			return json.RawMessage("null")
		}
		return p
	}
	end, ok := jsontok.Skip(p, start)
	if !ok {
		return p
	}
	if after := jsontok.SkipSpace(p, end); after+1 == len(p) && p[after] == ']' {
		return p[start:end:end]
	}
	return p
}
