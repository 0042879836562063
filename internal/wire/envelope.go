package wire

import (
	"errors"
	"fmt"
)

// Envelopes are most of the traffic, so both ends encode and decode them by
// hand instead of through gob's reflection, producing and accepting exactly
// the bytes gob would (the tests compare the two on every field
// combination, and against the recorded brpc streams):
//
//   - a value message is [uint length][int type id][fields][0], where each
//     field present is [uint delta from the previous field's index][value]
//     and zero values are left out; a uint64 is a gob uint, a string and a
//     []byte are a uint length and the bytes;
//   - the type id is the one the peer assigned in the type definition it
//     sent before its first envelope. The encoder lets gob send its first
//     envelope, with that definition, and reads the id back; the decoder
//     reads the definition (types.go) and maps the peer's fields to ours by
//     name, as gob does. An envelope type the fast path does not understand
//     (a field of a non-basic type, a known name with another type) is read
//     by the general decoder of value.go instead, with the same bounds as
//     the handshake.

// Built-in gob type ids of the basic types an envelope may hold.
const (
	gobBool   = 1
	gobInt    = 2
	gobUint   = 3
	gobFloat  = 4
	gobBytes  = 5
	gobString = 6
)

// Field actions of a decoding layout.
const (
	fSkipUint  = iota // also bool, int and float: one gob uint on the wire
	fSkipBytes        // also string
	fSeq              // Envelope fields
	fTrace
	fMethod
	fError
	fPayload
)

var errEnvelope = errors.New("wire: malformed envelope")

// appendUint appends x in gob's unsigned encoding.
func appendUint(b []byte, x uint64) []byte {
	if x < 0x80 {
		return append(b, byte(x))
	}
	var tmp [8]byte
	n := 8
	for x > 0 {
		n--
		tmp[n] = byte(x)
		x >>= 8
	}
	b = append(b, byte(-(8 - n)))
	return append(b, tmp[n:]...)
}

// appendInt appends x in gob's signed encoding.
func appendInt(b []byte, x int64) []byte {
	var u uint64
	if x < 0 {
		u = uint64(^x<<1) | 1
	} else {
		u = uint64(x << 1)
	}
	return appendUint(b, u)
}

// appendEnvelope appends env as one gob value message of type id.
func appendEnvelope(b []byte, id int64, env *Envelope) []byte {
	// The length comes first; it is at most 9 bytes, so the body is built
	// after a gap and moved back once its length is known.
	start := len(b)
	b = append(b, make([]byte, 9)...)
	body := len(b)
	b = appendInt(b, id)
	last := -1
	if env.Seq != 0 {
		b = appendUint(b, 1)
		b = appendUint(b, env.Seq)
		last = 0
	}
	for i, s := range [...]string{1: env.Trace, 2: env.Method, 3: env.Error} {
		if s != "" {
			b = appendUint(b, uint64(i-last))
			b = appendUint(b, uint64(len(s)))
			b = append(b, s...)
			last = i
		}
	}
	if len(env.Payload) > 0 {
		b = appendUint(b, uint64(4-last))
		b = appendUint(b, uint64(len(env.Payload)))
		b = append(b, env.Payload...)
	}
	b = append(b, 0)
	var hdr [9]byte
	h := appendUint(hdr[:0], uint64(len(b)-body))
	copy(b[start:], h)
	n := copy(b[start+len(h):], b[body:])
	return b[:start+len(h)+n]
}

// lastValueID returns the type id of the last message in b, a sequence of
// whole gob messages.
func lastValueID(b []byte) (int64, bool) {
	var id int64
	for len(b) > 0 {
		n, w, err := uintAt(b)
		if err != nil || uint64(len(b)-w) < n {
			return 0, false
		}
		msg := b[w : w+int(n)]
		if id, _, err = intAt(msg); err != nil {
			return 0, false
		}
		b = b[w+int(n):]
	}
	return id, id > 0
}

// parser reads gob's encoding from a byte slice.
type parser struct {
	b   []byte
	err error
}

func (p *parser) uint() uint64 {
	if p.err != nil {
		return 0
	}
	n, w, err := uintAt(p.b)
	if err != nil {
		p.err = errEnvelope
		return 0
	}
	p.b = p.b[w:]
	return n
}

func (p *parser) int() int64 {
	u := p.uint()
	if u&1 != 0 {
		return ^int64(u >> 1)
	}
	return int64(u >> 1)
}

func (p *parser) bytes() []byte {
	n := p.uint()
	if p.err != nil {
		return nil
	}
	if n > uint64(len(p.b)) {
		p.err = errEnvelope
		return nil
	}
	s := p.b[:n]
	p.b = p.b[n:]
	return s
}

// layout is how to decode the fields of one struct type the peer defined
// into an Envelope: the action for each of its field indexes.
type layout []uint8

// envelopeLayout returns the envelope layout for a struct type of the
// peer's with these fields, or nil when it is not a struct of basic fields
// that the fast path can decode (the general decoder of value.go then reads
// it).
func envelopeLayout(fields []fieldDef) layout {
	if len(fields) > 1024 {
		return nil
	}
	lay := make(layout, 0, len(fields))
	for _, f := range fields {
		act, ok := fieldAction(f.name, f.id)
		if !ok {
			return nil
		}
		lay = append(lay, act)
	}
	return lay
}

// fieldAction maps one field of the peer's type to ours, by name as gob
// does; a field we lack is skipped if it is of a basic type.
func fieldAction(name string, typ int64) (uint8, bool) {
	var act uint8
	var want int64
	switch name {
	case "Seq":
		act, want = fSeq, gobUint
	case "Trace":
		act, want = fTrace, gobString
	case "Method":
		act, want = fMethod, gobString
	case "Error":
		act, want = fError, gobString
	case "Payload":
		act, want = fPayload, gobBytes
	}
	if want != 0 {
		return act, typ == want
	}
	switch typ {
	case gobBool, gobInt, gobUint, gobFloat:
		return fSkipUint, true
	case gobBytes, gobString:
		return fSkipBytes, true
	}
	return 0, false
}

// decodeEnvelope decodes the fields of a value message (after its type id)
// into env, following lay; last is the last method name decoded (see
// Decoder.method), nil for none.
func decodeEnvelope(b []byte, lay layout, env *Envelope, last *string) error {
	*env = Envelope{}
	p := &parser{b: b}
	idx := -1
	for {
		d := p.uint()
		if p.err != nil {
			return p.err
		}
		if d == 0 {
			break
		}
		if d > uint64(len(lay)) || idx+int(d) >= len(lay) {
			return fmt.Errorf("%w: field delta %d", errEnvelope, d)
		}
		idx += int(d)
		switch lay[idx] {
		case fSkipUint:
			p.uint()
		case fSkipBytes:
			p.bytes()
		case fSeq:
			env.Seq = p.uint()
		case fTrace:
			env.Trace = string(p.bytes())
		case fMethod:
			env.Method = internMethod(p.bytes(), last)
		case fError:
			env.Error = string(p.bytes())
		case fPayload:
			if s := p.bytes(); len(s) > 0 {
				env.Payload = append([]byte(nil), s...)
			}
		}
		if p.err != nil {
			return p.err
		}
	}
	if len(p.b) != 0 {
		return fmt.Errorf("%w: %d bytes after the last field", errEnvelope, len(p.b))
	}
	return nil
}

// internMethod returns the protocol's method names, and the one in *last,
// without allocating; another becomes *last.
func internMethod(b []byte, last *string) string {
	switch string(b) {
	case MethodAsync:
		return MethodAsync
	case MethodShutdown:
		return MethodShutdown
	case MethodCancel:
		return MethodCancel
	}
	if last == nil {
		return string(b)
	}
	if string(b) != *last {
		*last = string(b)
	}
	return *last
}

// structFields reads the fields of one gob struct, calling field with each
// field's index; field returns false for an index the struct does not have.
func structFields(p *parser, field func(int) bool) {
	idx := -1
	for p.err == nil {
		d := p.uint()
		if p.err != nil || d == 0 {
			return
		}
		if d > 64 {
			p.err = errEnvelope
			return
		}
		idx += int(d)
		if !field(idx) {
			p.err = errEnvelope
			return
		}
	}
}
