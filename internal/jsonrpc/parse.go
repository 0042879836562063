package jsonrpc

import (
	"encoding/json"
	"strings"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
)

// Parse decodes msg into m as json.Unmarshal(msg, m) does, and fails when it
// fails (with its error), but reads the common messages (an object whose
// members are the ones Message has, spelled as the specification does, and
// any others, without an error member) in one pass, without reflection and
// without copying: ID, Params and Result then point into msg, valid as long
// as msg is; copy what is kept. Anything else (an error member, keys
// encoding/json would match by case, strings with escapes) goes to
// json.Unmarshal. It does not block.
func Parse(msg []byte, m *Message) error {
	*m = Message{}
	if parseFast(msg, m) {
		return nil
	}
	return parseSlow(msg, m)
}

// parseSlow is json.Unmarshal into a Message of its own, so that m need
// not escape to the heap when the fast path takes the message.
func parseSlow(msg []byte, m *Message) error {
	var slow Message
	err := json.Unmarshal(msg, &slow)
	*m = slow
	return err
}

// parseFast reads msg into m when it can, and reports whether it could: true
// means json.Unmarshal would have succeeded with the same fields.
func parseFast(msg []byte, m *Message) bool {
	pos := jsontok.SkipSpace(msg, 0)
	if pos >= len(msg) || msg[pos] != '{' {
		return false
	}
	pos = jsontok.SkipSpace(msg, pos+1)
	if pos < len(msg) && msg[pos] == '}' {
		return jsontok.SkipSpace(msg, pos+1) == len(msg)
	}
	for {
		if pos >= len(msg) || msg[pos] != '"' {
			return false
		}
		end, plain, ok := jsontok.SkipString(msg, pos)
		if !ok || !plain {
			return false
		}
		key := msg[pos+1 : end-1]
		pos = jsontok.SkipSpace(msg, end)
		if pos >= len(msg) || msg[pos] != ':' {
			return false
		}
		start := jsontok.SkipSpace(msg, pos+1)
		end, ok = jsontok.SkipMember(msg, start, 1) // inside the message's object
		if !ok {
			return false
		}
		val := msg[start:end:end]
		switch string(key) {
		case "jsonrpc":
			ok = plainString(val, &m.JSONRPC)
		case "method":
			ok = plainString(val, &m.Method)
		case "id":
			m.ID = val
		case "params":
			m.Params = val
		case "result":
			m.Result = val
		default:
			// encoding/json matches keys regardless of case.
			ok = !strings.EqualFold(string(key), "jsonrpc") && !strings.EqualFold(string(key), "method") &&
				!strings.EqualFold(string(key), "id") && !strings.EqualFold(string(key), "params") &&
				!strings.EqualFold(string(key), "result") && !strings.EqualFold(string(key), "error")
		}
		if !ok {
			return false
		}
		pos = jsontok.SkipSpace(msg, end)
		if pos >= len(msg) {
			return false
		}
		switch msg[pos] {
		case ',':
			pos = jsontok.SkipSpace(msg, pos+1)
			continue
		case '}':
			return jsontok.SkipSpace(msg, pos+1) == len(msg)
		}
		return false
	}
}

// plainString sets *s to the string val holds when it is printable ASCII
// without escapes, leaves it when val is null (as json.Unmarshal does), and
// reports false for anything else.
func plainString(val []byte, s *string) bool {
	if string(val) == "null" {
		return true
	}
	if len(val) < 2 || val[0] != '"' {
		return false
	}
	_, plain, ok := jsontok.SkipString(val, 0)
	if !ok || !plain {
		return false
	}
	if string(val) == `"2.0"` {
		*s = "2.0" // what every message says: no allocation
	} else {
		*s = string(val[1 : len(val)-1])
	}
	return true
}
