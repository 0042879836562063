package wire

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"sync"
)

// DefaultMaxMessage is the largest gob message a Decoder accepts unless told
// otherwise: 16 MiB.
const DefaultMaxMessage = 16 << 20

// ErrTooLarge is returned by Decoder.Decode when the peer announces a message
// larger than the limit. The stream cannot be resynchronised afterwards.
var ErrTooLarge = errors.New("message too large")

// ErrMalformed is returned when the stream is not one gob could read: a
// message length, a type id or a type definition that makes no sense.
var ErrMalformed = errors.New("malformed message length")

// maxTypeDefs bounds the type definitions one stream may send (the
// handshake needs a handful).
const maxTypeDefs = 256

// Decoder reads gob values from a stream, refusing messages over a size limit.
// It is not safe for concurrent use; a connection has one reading goroutine.
//
// Envelopes are decoded by hand (see envelope.go); every other value goes
// to an encoding/gob Decoder, made when one is needed and dropped once an
// envelope has been decoded, so that an idle connection does not keep gob's
// compiled decoders. The type definitions the peer sent are kept, as bytes,
// and replayed to a new gob Decoder.
type Decoder struct {
	r    *idleReader
	max  uint64
	hbuf [9]byte

	layouts map[int64]layout // envelope layouts by the peer's type id
	defs    [][]byte         // every type definition message, whole
	gob     *gob.Decoder     // nil until a value needs it
	fed     int              // how many of defs gob has read
	feed    feeder
	err     error
}

// NewDecoder returns a Decoder reading from r that rejects any gob message
// longer than max bytes (DefaultMaxMessage when max <= 0).
func NewDecoder(r io.Reader, max int) *Decoder {
	if max <= 0 {
		max = DefaultMaxMessage
	}
	return &Decoder{r: &idleReader{r: r}, max: uint64(max)}
}

// Decode reads the next value into v, which must be a pointer.
// Errors from the stream (io.EOF at a message boundary included) are returned
// as they are; a size violation wraps ErrTooLarge.
func (d *Decoder) Decode(v any) error {
	if env, ok := v.(*Envelope); ok {
		return d.DecodeEnvelope(env)
	}
	if d.err != nil {
		return d.err
	}
	if err := d.r.wait(); err != nil {
		return err
	}
	return d.decode(v, nil)
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
	return d.decode(nil, env)
}

// decode reads messages until a value, which goes into env if env is not
// nil, else into v.
func (d *Decoder) decode(v any, env *Envelope) error {
	for {
		buf, hlen, err := d.next()
		if err != nil {
			return err
		}
		msg := *buf
		p := parser{b: msg[hlen:]}
		id := p.int()
		if p.err != nil || id == 0 {
			putBuf(buf)
			d.err = fmt.Errorf("%w: bad type id", ErrMalformed)
			return d.err
		}
		if id < 0 {
			if !validTypeDef(p.b) || len(d.defs) >= maxTypeDefs {
				putBuf(buf)
				d.err = fmt.Errorf("%w: bad type definition", ErrMalformed)
				return d.err
			}
			if lay := parseTypeDef(p.b); lay != nil {
				if d.layouts == nil {
					d.layouts = map[int64]layout{}
				}
				d.layouts[-id] = lay
			}
			d.defs = append(d.defs, append([]byte(nil), msg...))
			putBuf(buf)
			continue
		}
		if env != nil {
			if lay := d.layouts[id]; lay != nil {
				err := decodeEnvelope(p.b, lay, env)
				putBuf(buf)
				d.gob = nil // the handshake's decoders are not needed again
				return err
			}
			tmp := new(Envelope)
			err = d.gobDecode(msg, tmp)
			*env = *tmp
		} else {
			err = d.gobDecode(msg, v)
		}
		putBuf(buf)
		return err
	}
}

func putBuf(b *[]byte) {
	if cap(*b) <= maxPooled {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// gobDecode has gob decode the value message msg, after the type
// definitions it has not seen yet.
func (d *Decoder) gobDecode(msg []byte, v any) error {
	if d.gob == nil {
		d.gob = gob.NewDecoder(&d.feed)
		d.fed = 0
	}
	d.feed.parts = append(append(d.feed.parts[:0], d.defs[d.fed:]...), msg)
	d.fed = len(d.defs)
	err := d.gob.Decode(v)
	d.feed.parts = d.feed.parts[:0]
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		// gob wanted more than one whole message: the stream is corrupt.
		err = fmt.Errorf("%w: incomplete gob value", ErrMalformed)
	}
	if err != nil {
		d.gob = nil
	}
	return err
}

// feeder hands gob the messages the Decoder has framed.
type feeder struct{ parts [][]byte }

func (f *feeder) Read(p []byte) (int, error) {
	for len(f.parts) > 0 && len(f.parts[0]) == 0 {
		f.parts = f.parts[1:]
	}
	if len(f.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.parts[0])
	f.parts[0] = f.parts[0][n:]
	return n, nil
}

func (f *feeder) ReadByte() (byte, error) {
	var b [1]byte
	if _, err := f.Read(b[:]); err != nil {
		return 0, err
	}
	return b[0], nil
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
	for left := int(n); left > 0; {
		chunk := min(left, maxPooled)
		if cap(msg)-len(msg) < chunk {
			msg = append(msg, make([]byte, chunk)...)[:len(msg)]
		}
		k, err := io.ReadFull(d.r, msg[len(msg):len(msg)+chunk])
		msg = msg[:len(msg)+k]
		left -= k
		if err != nil {
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
