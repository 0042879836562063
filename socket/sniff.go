package socket

import (
	"context"
	"io"
	"net"
	"time"
)

// sniffLen is how many bytes the socket reads before it knows which protocol
// a connection speaks. Every gob stream has at least two: a message length
// and a message of at least one byte.
const sniffLen = 2

// isJSONRPC reports whether a connection's first two bytes start a JSON-RPC
// message rather than a gob stream.
//
// A gob stream opens with the length of its first message and then that
// message's type id. A handshake is a struct, so its first message defines a
// type: its id is negative and at least 64 in size (gob numbers the types
// it predeclares below 64), which gob writes as 0x7f (-64) or as a byte
// count from 0xf8 to 0xff followed by the bytes. JSON-RPC opens with "{",
// JSON white space or "Content-Length:", and its second byte is then one of
// white space, '"', '}', '{' or "o": never 0x7f nor a byte of 0xf8 and
// above. The sets are disjoint, so no gob handshake, brpc's or ours, is
// taken for JSON (the test replays the recorded streams and the fuzz
// corpus), and anything else goes to the gob reader, which says why it is
// refused.
func isJSONRPC(b [sniffLen]byte) bool {
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	switch {
	case b[0] == '{':
		return space(b[1]) || b[1] == '"' || b[1] == '}'
	case space(b[0]):
		return space(b[1]) || b[1] == '{' || b[1] == 'C' || b[1] == 'c'
	case b[0] == 'C' || b[0] == 'c':
		return b[1] == 'o' || b[1] == 'O'
	}
	return false
}

// sniff reads a new connection's first bytes, within the handshake timeout.
// It returns what it read (fewer than sniffLen bytes when the read failed:
// the protocol's reader then meets the same failure and reports it).
func sniff(nc net.Conn, timeout time.Duration) ([sniffLen]byte, int) {
	var b [sniffLen]byte
	_ = nc.SetReadDeadline(time.Now().Add(timeout))
	n, _ := io.ReadFull(nc, b[:])
	return b, n
}

// prefixed is a connection whose first bytes were already read: Read hands
// them out before reading on.
type prefixed struct {
	net.Conn
	pre  [sniffLen]byte
	from int // pre[from:n] are still to be read
	n    int
}

func (p *prefixed) Read(b []byte) (int, error) {
	if p.from < p.n {
		k := copy(b, p.pre[p.from:p.n])
		p.from += k
		return k, nil
	}
	return p.Conn.Read(b)
}

// sniffing is the peer a connection is while the socket reads its first
// bytes: it is in s.peers, so that Shutdown reaches it, until the peer that
// speaks its protocol replaces it.
type sniffing struct {
	nc    net.Conn
	ended chan struct{}
}

var _ peer = (*sniffing)(nil)

func (p *sniffing) check(string, string, []byte) error { return ErrDisconnected }
func (p *sniffing) send(string, string, []byte) (sent, error) {
	return sent{}, ErrDisconnected
}
func (p *sniffing) wait(context.Context, sent) ([]byte, error) { return nil, ErrDisconnected }
func (p *sniffing) requestStop(string)                         {}
func (p *sniffing) cut(string)                                 { _ = p.nc.Close() }
func (p *sniffing) done() <-chan struct{}                      { return p.ended }
