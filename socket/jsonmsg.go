package socket

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
	"github.com/switchboard-rpc/switchboard/internal/jsontok"
	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// deliver handles one message from a registered plugin: a response goes to
// the call waiting for it, $/async to the socket's subscribers, a request
// gets method_not_found (the host serves none), and other notifications
// ($/cancelRequest of a library, $/progress...) are dropped. An error means
// the message was not JSON-RPC; the connection is then closed.
func (c *jsonConn) deliver(msg []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(msg), []byte("[")) {
		return errors.New("a batch (batches are not part of the dialect)")
	}
	var m jsonrpc.Message // its raw members point into msg, which the next read reuses
	if err := jsonrpc.Parse(msg, &m); err != nil {
		return fmt.Errorf("not a JSON-RPC message: %w", err)
	}
	switch {
	case m.Method == jsonAsync:
		c.s.deliverAsync(c.name, bytes.Clone(jsonrpc.Single(m.Params)))
		return nil
	case m.Method != "" && m.HasID():
		c.queue(errorResponse(m.ID, jsonrpc.CodeMethodNotFound, "the host serves no methods"))
		return nil
	case m.Method != "":
		c.logger().Debug("notification dropped", "method", m.Method)
		return nil
	case !m.HasID():
		return errors.New("a message with neither method nor id")
	}
	seq, err := strconv.ParseUint(string(m.ID), 10, 64)
	if err != nil {
		c.logger().Debug("answer to no request of ours dropped", "id", string(m.ID))
		return nil
	}
	c.mu.Lock()
	ch := c.pending[seq]
	delete(c.pending, seq)
	c.mu.Unlock()
	if ch == nil {
		c.logger().Debug("answer to no pending call dropped", "id", seq)
		return nil
	}
	switch {
	case m.Error != nil:
		ch <- reply{err: remoteError(m.Error)}
	case len(m.Result) == 0 || bytes.Equal(m.Result, []byte("null")):
		ch <- reply{}
	default:
		ch <- reply{payload: bytes.Clone(m.Result)}
	}
	return nil
}

// remoteError maps a JSON-RPC error to the socket's: -32601 is
// ErrMethodNotFound, -32603 (what libraries answer when a handler throws)
// ErrPanic, -32002 ErrShutdown; any other code is the plugin's own error.
func remoteError(e *jsonrpc.Error) error {
	switch e.Code {
	case jsonrpc.CodeMethodNotFound:
		return &RemoteError{Message: wire.TextMethodNotFound}
	case jsonrpc.CodeInternalError:
		return &RemoteError{Message: wire.PrefixPanic + e.Message}
	case jsonrpc.CodeShutdown:
		return &RemoteError{Message: wire.TextShutdown}
	}
	if e.Message == "" {
		return &RemoteError{Message: fmt.Sprintf("error %d", e.Code)}
	}
	return &RemoteError{Message: e.Message}
}

// checkJSONPayload refuses an argument that is not one JSON value: it is
// written into the request as it is.
func checkJSONPayload(payload []byte) error {
	if len(payload) > 0 && !jsontok.Valid(payload) {
		return errors.New("the argument is not valid JSON")
	}
	return nil
}

// appendRequest appends a request for method with payload (none: null) as
// its one positional param, and the trace in a member libraries ignore.
func appendRequest(b []byte, id uint64, method string, payload []byte, trace string) []byte {
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, `,"method":`...)
	b = appendString(b, method)
	b = append(b, `,"params":[`...)
	b = appendValue(b, payload)
	b = append(b, ']')
	if trace != "" {
		b = append(b, `,"trace":`...)
		b = appendString(b, trace)
	}
	return append(b, '}')
}

// appendValue appends a JSON value on one line: the framing by lines needs
// it, and the line ends in it can only be white space between tokens.
func appendValue(b, v []byte) []byte {
	if len(v) == 0 {
		return append(b, "null"...)
	}
	if bytes.ContainsAny(v, "\r\n") {
		var buf bytes.Buffer
		if json.Compact(&buf, v) == nil {
			return append(b, buf.Bytes()...)
		}
	}
	return append(b, v...)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendCancel(b []byte, id uint64) []byte {
	b = append(b, `{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":`...)
	b = strconv.AppendUint(b, id, 10)
	return append(b, "}}"...)
}

func appendStop(b []byte, trace string) []byte {
	b = append(b, `{"jsonrpc":"2.0","method":"$/stop","params":{}`...)
	if trace != "" {
		b = append(b, `,"trace":`...)
		b = appendString(b, trace)
	}
	return append(b, '}')
}

func appendResult(b []byte, id json.RawMessage, result []byte) []byte {
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = appendValue(b, id)
	b = append(b, `,"result":`...)
	b = append(b, result...)
	return append(b, '}')
}

// errorResponse is an error response to id (null when id is empty).
func errorResponse(id json.RawMessage, code int, message string) []byte {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	b := appendValue([]byte(`{"jsonrpc":"2.0","id":`), id)
	b = append(b, `,"error":{"code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"message":`...)
	b = appendString(b, message)
	return append(b, "}}"...)
}

// registered is the result of a successful registration.
func registered(name string) []byte {
	return append(appendString([]byte(`{"name":`), name), '}')
}
