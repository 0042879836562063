package benchkit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
)

// AddJSONRPC connects a JSON-RPC 2.0 echo peer written in Go, as a plugin
// author in Go would write one without our SDK: newline-delimited framing,
// every message decoded with encoding/json, every request answered with its
// payload; it closes on the host's $/stop. It returns once the peer is
// registered as name (not counted in Plugins: a broadcast does not reach
// it).
func (h *Hub) AddJSONRPC(name string) error {
	nc, err := net.Dial("tcp", h.lis.Addr().String())
	if err != nil {
		return err
	}
	reg := `{"jsonrpc":"2.0","id":0,"method":"register","params":{"name":"` + name + `"}}` + "\n"
	if _, err := nc.Write([]byte(reg)); err != nil {
		_ = nc.Close()
		return err
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		defer nc.Close()
		jsonEcho(nc)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := h.S.WaitForContext(ctx, name); err != nil {
		return fmt.Errorf("JSON-RPC peer %s did not register: %w", name, err)
	}
	return nil
}

func jsonEcho(nc net.Conn) {
	rd := jsonrpc.NewReader(nc, 1<<20)
	w := bufio.NewWriter(nc)
	var out []byte
	for {
		m, err := rd.Read()
		if err != nil {
			return
		}
		var req struct {
			ID     json.RawMessage   `json:"id"`
			Method string            `json:"method"`
			Params []json.RawMessage `json:"params"`
		}
		if json.Unmarshal(m, &req) != nil || req.Method == "" {
			continue // the registration's answer
		}
		if req.Method == "$/stop" {
			return
		}
		if len(req.ID) == 0 || len(req.Params) != 1 {
			continue // a notification
		}
		out = append(out[:0], `{"jsonrpc":"2.0","id":`...)
		out = append(out, req.ID...)
		out = append(out, `,"result":`...)
		out = append(out, req.Params[0]...)
		out = append(out, "}\n"...)
		_, _ = w.Write(out)
		if rd.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

// JSONCalls makes n calls of method on the plugin name with the JSON of
// Text{Sample} through Socket.CallJSON (the bytes passed through as they
// are), shared among callers concurrent callers, and returns how long they
// took: the same for an AnyEcho plugin and a JSON-RPC peer.
func (h *Hub) JSONCalls(name, method string, n, callers int) (time.Duration, error) {
	payload := json.RawMessage(`{"text":"` + Sample + `"}`)
	ctx := context.Background()
	return spread(n, callers, func(int) error {
		out, err := h.S.CallJSON(ctx, "", name, method, payload)
		if err == nil && len(out) != len(payload) {
			err = fmt.Errorf("%s returned %s", name, out)
		}
		return err
	})
}
