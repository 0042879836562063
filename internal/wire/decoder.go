package wire

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
)

// DefaultMaxMessage is the largest gob message a Decoder accepts unless told
// otherwise: 16 MiB.
const DefaultMaxMessage = 16 << 20

// ErrTooLarge is returned by Decoder.Decode when the peer announces a message
// larger than the limit. The stream cannot be resynchronised afterwards.
var ErrTooLarge = errors.New("message too large")

// ErrMalformed is returned when the stream is not one gob could read: a
// message length, a type id, a type definition or a value that makes no
// sense.
var ErrMalformed = errors.New("malformed gob stream")

// Defaults of the type-definition bounds (see Bounds).
const (
	// DefaultMaxTypeBytes is how much memory the type definitions of one
	// stream may take in all, counted as their bytes plus about 100 bytes
	// per type and 25 per field (a handshake and its envelope type need
	// about 1.5 KiB).
	DefaultMaxTypeBytes = 64 << 10
	// DefaultMaxTypes is how many types one stream may define.
	DefaultMaxTypes = 256
)

// Bounds are the limits a Decoder applies besides the message size. A zero
// field means its default.
type Bounds struct {
	// MaxDepth bounds how deeply structs, slices, maps and arrays nest in
	// one value (DefaultMaxDepth).
	MaxDepth int
	// MaxItems bounds the slice and array elements, map entries and
	// pointers of one value, together (DefaultMaxItems).
	MaxItems int
	// MaxTypeBytes bounds the memory the stream's type definitions take,
	// as DefaultMaxTypeBytes counts it (DefaultMaxTypeBytes).
	MaxTypeBytes int
	// MaxTypes bounds how many types the stream may define
	// (DefaultMaxTypes).
	MaxTypes int
}

func (b Bounds) withDefaults() Bounds {
	set := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	set(&b.MaxDepth, DefaultMaxDepth)
	set(&b.MaxItems, DefaultMaxItems)
	set(&b.MaxTypeBytes, DefaultMaxTypeBytes)
	set(&b.MaxTypes, DefaultMaxTypes)
	return b
}

// Decoder reads gob values from a stream, refusing messages over a size limit.
// It is not safe for concurrent use; a connection has one reading goroutine.
//
// It does not use encoding/gob: type definitions are parsed once as they
// arrive (types.go) and kept parsed, within Bounds; envelopes are decoded
// by hand (envelope.go), and every other value (the handshake) by the
// bounded general decoder of value.go.
type Decoder struct {
	r    *idleReader
	max  uint64
	hbuf [9]byte

	bounds    Bounds
	types     map[int64]*typeDef // the peer's types by id
	typeBytes int64              // charged for types, against bounds.MaxTypeBytes
	budget    *Budget            // shared budget charged, or nil
	charged   int64              // what is charged to budget now
	err       error
	// method is the last method name decoded other than the protocol's:
	// a connection mostly carries a few names again and again, and a
	// name equal to it is not allocated again.
	method string
	cache  *TypeCache // see ShareTypes; nil for none
}

// NewDecoder returns a Decoder reading from r that rejects any gob message
// longer than max bytes (DefaultMaxMessage when max <= 0), with the default
// Bounds.
func NewDecoder(r io.Reader, max int) *Decoder {
	if max <= 0 {
		max = DefaultMaxMessage
	}
	return &Decoder{r: &idleReader{r: r}, max: uint64(max), bounds: Bounds{}.withDefaults()}
}

// SetBounds replaces the decoder's Bounds (zero fields mean the defaults).
// It does not block; call it before the first Decode.
func (d *Decoder) SetBounds(b Bounds) { d.bounds = b.withDefaults() }

// ChargeTo makes the decoder charge b with the messages it reads, while it
// reads and decodes them, and with the type definitions it keeps, until
// Release. A message or definition b has no room for fails with an error
// wrapping ErrBudget. It does not block; call it before the first Decode.
func (d *Decoder) ChargeTo(b *Budget) { d.budget = b }

// Release gives back everything charged to the Budget of ChargeTo and stops
// charging it. It is safe to call more than once; it does not block.
func (d *Decoder) Release() {
	if d.budget != nil {
		d.budget.give(d.charged)
		d.budget, d.charged = nil, 0
	}
}

func (d *Decoder) charge(n int64) error {
	if d.budget == nil {
		return nil
	}
	if !d.budget.take(n) {
		return fmt.Errorf("%w: %d more bytes wanted, %d of %d in use",
			ErrBudget, n, d.budget.Used(), d.budget.Max())
	}
	d.charged += n
	return nil
}

func (d *Decoder) uncharge(n int64) {
	if d.budget != nil {
		d.budget.give(n)
		d.charged -= n
	}
}

// Decode reads the next value into v, which must be a non-nil pointer.
// Errors from the stream (io.EOF at a message boundary included) are returned
// as they are; a size violation wraps ErrTooLarge, a broken stream
// ErrMalformed, a value past the Bounds ErrBounds, one the decoder does not
// read ErrUnsupported, a full Budget ErrBudget. A framing error, a refused
// type definition or a full Budget leaves the stream unusable (every later
// call returns the same error); after a value that could not be decoded the
// next call reads the next message. Decode blocks until a value has
// arrived.
func (d *Decoder) Decode(v any) error {
	if env, ok := v.(*Envelope); ok {
		return d.DecodeEnvelope(env)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: Decode needs a non-nil pointer, got %T", ErrUnsupported, v)
	}
	if d.err != nil {
		return d.err
	}
	if err := d.r.wait(); err != nil {
		return err
	}
	return d.decode(rv.Elem(), nil)
}

// DecodeEnvelope is Decode for an envelope, which it does not keep: it may
// live on the caller's stack and be reused for the next message (the fields
// it fills are new each time).
func (d *Decoder) DecodeEnvelope(env *Envelope) error {
	if d.err != nil {
		return d.err
	}
	// Wait for input here, in as shallow a frame as possible: an idle
	// connection's goroutine is parked at this point, and the less stack
	// it uses there the smaller the garbage collector can shrink it.
	if err := d.r.wait(); err != nil {
		return err // io.EOF here is a clean end between messages
	}
	return d.decode(reflect.Value{}, env)
}

// decode reads messages until a value, which goes into env if env is not
// nil, else into v.
func (d *Decoder) decode(v reflect.Value, env *Envelope) error {
	for {
		buf, hlen, err := d.next()
		if err != nil {
			return err
		}
		err = d.message((*buf)[hlen:], v, env)
		d.uncharge(int64(len(*buf) - hlen))
		putBuf(buf)
		if err != errTypeDef {
			return err
		}
	}
}

// errTypeDef is message's way to say it read a type definition.
var errTypeDef = errors.New("type definition")

// message handles one message body: a type definition, or a value.
func (d *Decoder) message(msg []byte, v reflect.Value, env *Envelope) error {
	p := parser{b: msg}
	id := p.int()
	if p.err != nil || id == 0 {
		d.err = fmt.Errorf("%w: bad type id", ErrMalformed)
		return d.err
	}
	if id < 0 {
		// A definition that is refused leaves the stream unusable: the
		// values after it could not be read.
		if err := d.typeDef(-id, p.b); err != errTypeDef {
			d.err = err
			return err
		}
		return errTypeDef
	}
	t := d.types[id]
	if env != nil && t != nil && t.lay != nil {
		return decodeEnvelope(p.b, t.lay, env, &d.method)
	}
	if env != nil {
		*env = Envelope{}
		v = reflect.ValueOf(env).Elem()
	}
	vd := valueDecoder{types: d.types, p: p, depth: d.bounds.MaxDepth, items: d.bounds.MaxItems}
	return vd.top(id, v)
}

// typeDef parses and keeps the definition of type id, within the bounds.
func (d *Decoder) typeDef(id int64, body []byte) error {
	if id < firstUserID {
		return fmt.Errorf("%w: definition of reserved type id %d", ErrMalformed, id)
	}
	if d.types[id] != nil {
		return fmt.Errorf("%w: type id %d defined twice", ErrMalformed, id)
	}
	// Checked before parsing with the least the body can cost (parsing
	// then allocates at most a small multiple of a body that passed), and
	// again with what the parsed definition costs to keep.
	if len(d.types) >= d.bounds.MaxTypes || d.typeBytes+typeDefCost(len(body), 0) > int64(d.bounds.MaxTypeBytes) {
		return d.tooManyTypes()
	}
	var t *typeDef
	var err error
	if d.cache != nil {
		t, err = d.cache.parse(body)
	} else {
		t, err = parseTypeDef(body)
	}
	if err != nil {
		return err
	}
	cost := typeDefCost(len(body), len(t.fields))
	if d.typeBytes+cost > int64(d.bounds.MaxTypeBytes) {
		return d.tooManyTypes()
	}
	if err := d.charge(cost); err != nil {
		return err
	}
	if d.types == nil {
		d.types = map[int64]*typeDef{}
	}
	d.types[id] = t
	d.typeBytes += cost
	return errTypeDef
}

func (d *Decoder) tooManyTypes() error {
	return fmt.Errorf("%w: type definitions past %d types or %d bytes",
		ErrBounds, d.bounds.MaxTypes, d.bounds.MaxTypeBytes)
}

func putBuf(b *[]byte) {
	if cap(*b) <= maxPooled {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// next reads one whole message, its length header included, into a pooled
// buffer, after checking the length against the limit.
func (d *Decoder) next() (*[]byte, int, error) {
	b, err := d.r.ReadByte()
	if err != nil {
		return nil, 0, err // io.EOF here is a clean end between messages
	}
	d.hbuf[0] = b
	hlen := 1
	var n uint64
	if b < 0x80 {
		n = uint64(b)
	} else {
		k := int(-int8(b))
		if k < 1 || k > 8 {
			d.err = fmt.Errorf("%w: byte %#x", ErrMalformed, b)
			return nil, 0, d.err
		}
		if _, err := io.ReadFull(d.r, d.hbuf[1:1+k]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, 0, err
		}
		for _, c := range d.hbuf[1 : 1+k] {
			n = n<<8 | uint64(c)
		}
		hlen += k
	}
	if n > d.max {
		d.err = fmt.Errorf("%w: %d bytes announced, limit %d", ErrTooLarge, n, d.max)
		return nil, 0, d.err
	}
	if n == 0 {
		d.err = fmt.Errorf("%w: empty message", ErrMalformed)
		return nil, 0, d.err
	}
	buf := bufPool.Get().(*[]byte)
	msg := append((*buf)[:0], d.hbuf[:hlen]...)
	// Grow with what arrives, not with what the peer announced: a short
	// stream cannot make us allocate the limit.
	// Before authentication the bytes are charged to the shared budget as
	// they arrive; decode gives them back once the message is handled.
	charged := int64(0)
	for left := int(n); left > 0; {
		chunk := min(left, maxPooled)
		if err := d.charge(int64(chunk)); err != nil {
			d.uncharge(charged)
			*buf = msg
			putBuf(buf)
			d.err = err
			return nil, 0, err
		}
		charged += int64(chunk)
		if cap(msg)-len(msg) < chunk {
			// Double, never past the message: what a message costs to
			// read is at most twice its size.
			grown := make([]byte, len(msg), min(max(2*cap(msg), len(msg)+chunk), hlen+int(n)))
			copy(grown, msg)
			msg = grown
		}
		k, err := io.ReadFull(d.r, msg[len(msg):len(msg)+chunk])
		msg = msg[:len(msg)+k]
		left -= k
		if err != nil {
			d.uncharge(charged)
			*buf = msg
			putBuf(buf)
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, 0, err
		}
	}
	*buf = msg
	return buf, hlen, nil
}

// smallRead is the size of the buffer a connection keeps while it waits for
// input; bigRead that of the pooled buffer it borrows while input is pending.
const (
	smallRead = 256
	bigRead   = 16 << 10
)

// readPool holds the read buffers that connections borrow under load.
var readPool = sync.Pool{New: func() any { b := make([]byte, bigRead); return &b }}

// idleReader is a buffered reader that keeps only a small buffer of its own
// while it waits: an idle connection costs little memory. A read that fills
// the small buffer means more input is queued, so the next one borrows a
// big buffer from a pool, and gives it back when it is read empty.
type idleReader struct {
	r     io.Reader
	big   *[]byte // borrowed while input is pending
	buf   []byte  // the buffer in use
	start int     // unread bytes are buf[start:end]
	end   int
	full  bool // the last read filled its buffer: more is probably queued
	err   error
	small [smallRead]byte
}

// fill reads once into the buffer the last read suggests.
func (b *idleReader) fill() error {
	if b.err != nil {
		return b.err
	}
	if b.full {
		if b.big == nil {
			b.big = readPool.Get().(*[]byte)
		}
		b.buf = *b.big
	} else {
		b.release()
		b.buf = b.small[:]
	}
	n, err := b.r.Read(b.buf)
	b.start, b.end = 0, n
	b.full = n == len(b.buf)
	if n == 0 && err == nil {
		err = io.ErrNoProgress
	}
	if n == 0 {
		b.release()
	}
	if err != nil {
		b.err = err
		if n > 0 {
			return nil // hand out what came first; the error next time
		}
	}
	return err
}

func (b *idleReader) release() {
	if b.big != nil {
		readPool.Put(b.big)
		b.big = nil
		b.buf = nil
		b.start, b.end = 0, 0
	}
}

// Read copies buffered bytes to p, or, with none buffered, reads once.
// Large reads go straight to p.
func (b *idleReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.start == b.end {
		if len(p) >= bigRead {
			b.release()
			if b.err != nil {
				return 0, b.err
			}
			n, err := b.r.Read(p)
			b.err = err
			return n, err
		}
		if err := b.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.buf[b.start:b.end])
	b.start += n
	if b.start == b.end && !b.full {
		b.release()
	}
	return n, nil
}

// wait reads once if nothing is buffered.
func (b *idleReader) wait() error {
	if b.start == b.end {
		return b.fill()
	}
	return nil
}

// ReadByte returns the next byte.
func (b *idleReader) ReadByte() (byte, error) {
	if b.start == b.end {
		if err := b.fill(); err != nil {
			return 0, err
		}
	}
	c := b.buf[b.start]
	b.start++
	if b.start == b.end && !b.full {
		b.release()
	}
	return c, nil
}
