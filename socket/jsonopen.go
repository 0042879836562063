package socket

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
	"github.com/switchboard-rpc/switchboard/internal/wire"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// MethodRegister is the method of the request a JSON-RPC plugin registers
// with, its first message (docs/jsonrpc.md).
const MethodRegister = "register"

// Methods of the JSON-RPC dialect besides the plugin's own.
const (
	jsonAsync  = "$/async"         // plugin to host: a value sent on its own
	jsonCancel = "$/cancelRequest" // host to plugin: abandon a request (LSP's)
	jsonStop   = "$/stop"          // host to plugin: finish, then close
)

// registration is the params of the register request.
type registration struct {
	Name         string                     `json:"name"`
	Version      string                     `json:"version"`
	Token        string                     `json:"token"`
	Functions    map[string]plugin.Function `json:"functions"`
	Capabilities []string                   `json:"capabilities"`
}

// open reads the registration and registers the plugin. It reports false
// when the plugin was refused; the connection has been ended then.
func (c *jsonConn) open() bool {
	// The read deadline the sniffer set, from the accept on, still runs.
	c.rd.ChargeTo(c.charge)
	msg, err := c.rd.Read()
	c.framing = c.rd.Framing()
	c.preauth.Give(c.charged)
	c.charged = 0
	c.rd.ChargeTo(nil)
	if err != nil {
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			err = fmt.Errorf("no registration within %v", c.cfg.handshakeTimeout)
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed):
			return c.refuse(nil, 0, fmt.Errorf("reading the registration: %w", err), false)
		}
		// Too large, bad framing, the budget full: the plugin is told.
		return c.refuse(nil, jsonrpc.CodeInvalidRequest, fmt.Errorf("reading the registration: %w", err), true)
	}
	if bytes.HasPrefix(bytes.TrimSpace(msg), []byte("[")) {
		return c.refuse(nil, jsonrpc.CodeInvalidRequest, fmt.Errorf("a batch: the first message must be a %q request", MethodRegister), true)
	}
	var m jsonrpc.Message
	if err := json.Unmarshal(msg, &m); err != nil {
		return c.refuse(nil, jsonrpc.CodeParseError, fmt.Errorf("registration is not JSON: %w", err), true)
	}
	c.rd.Release() // a large registration's buffer is not kept for the small messages after it
	if m.Method != MethodRegister || !m.HasID() {
		return c.refuse(m.ID, jsonrpc.CodeInvalidRequest,
			fmt.Errorf("the first message must be a %q request, not %s", MethodRegister, describe(&m)), true)
	}
	_ = c.nc.SetReadDeadline(time.Time{})
	var r registration
	if err := json.Unmarshal(jsonrpc.Single(m.Params), &r); err != nil {
		return c.refuse(m.ID, jsonrpc.CodeInvalidParams, fmt.Errorf("registration params: %w", err), true)
	}
	if c.cfg.token != "" && !tokensEqual(r.Token, c.cfg.token) {
		why := fmt.Errorf("plugin %q sent a wrong token", r.Name)
		if r.Token == "" {
			why = fmt.Errorf("plugin %q sent no token", r.Name)
		}
		c.writeNow(errorResponse(m.ID, jsonrpc.CodeRejected, "authentication failed"))
		return c.refuse(nil, 0, why, false)
	}
	h := wire.Hello[plugin.Function]{Name: r.Name, Version: r.Version, Functions: r.Functions, Caps: r.Capabilities}
	if err := checkJSONHello(&h); err != nil {
		return c.refuse(m.ID, jsonrpc.CodeRejected, err, true)
	}
	info := &plugin.Info{Name: h.Name, Version: h.Version, Functions: h.Functions}
	c.written = make(chan struct{})
	name, err := c.s.register(c, info)
	if err != nil {
		close(c.written)
		c.written = nil
		return c.refuse(m.ID, jsonrpc.CodeRejected, err, true)
	}
	c.name = name
	c.log.Store(c.logger().With("plugin", name))
	// The answer goes before any request queued since register made the
	// plugin visible.
	ok := appendResult(nil, m.ID, registered(name))
	c.mu.Lock()
	c.out = append(jsonrpc.Append(nil, c.framing, ok), c.out...)
	c.live = true
	c.owner = goroutineWrites
	c.mu.Unlock()
	c.wakeWriter()
	go c.writeLoop()
	c.logger().Info("plugin connected", "version", h.Version, "methods", len(h.Functions), "framing", c.framing.String())
	return true
}

// charge takes n bytes of the pre-authentication budget for the
// registration being read.
func (c *jsonConn) charge(n int) error {
	if !c.preauth.Take(int64(n)) {
		return fmt.Errorf("%w: %d more bytes wanted, %d of %d in use",
			wire.ErrBudget, n, c.preauth.Used(), c.preauth.Max())
	}
	c.charged += int64(n)
	return nil
}

// refuse counts and logs a refused plugin, tells it why when answer is set
// (an error response to id), and ends the connection. It returns false.
func (c *jsonConn) refuse(id json.RawMessage, code int, why error, answer bool) bool {
	c.s.refused.Add(1)
	c.logger().Warn("plugin refused", "err", why)
	if answer {
		c.writeNow(errorResponse(id, code, why.Error()))
	}
	c.end(why)
	return false
}

// checkJSONHello is checkHello with the JSON-RPC dialect's own names
// reserved: a method may not start with "$/" or "rpc.".
func checkJSONHello(h *wire.Hello[plugin.Function]) error {
	if err := checkHello(h); err != nil {
		return err
	}
	for name, f := range h.Functions {
		if name == "" {
			return errors.New("a method without a name")
		}
		if strings.HasPrefix(name, "$/") || strings.HasPrefix(name, "rpc.") {
			return fmt.Errorf("method name %q is reserved (\"$/\" and \"rpc.\" are the protocol's)", name)
		}
		if f.Name == "" {
			f.Name = name
			h.Functions[name] = f
		}
	}
	return nil
}

// describe names a message for an error.
func describe(m *jsonrpc.Message) string {
	switch {
	case m.Method != "" && m.HasID():
		return fmt.Sprintf("a %q request", m.Method)
	case m.Method != "":
		return fmt.Sprintf("a %q notification", m.Method)
	case m.HasID():
		return "a response"
	}
	return "a message with neither method nor id"
}
