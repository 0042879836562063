package wire

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxMessage is the largest gob message a Decoder accepts unless told
// otherwise: 16 MiB.
const DefaultMaxMessage = 16 << 20

// ErrTooLarge is returned by Decoder.Decode when the peer announces a message
// larger than the limit. The stream cannot be resynchronised afterwards.
var ErrTooLarge = errors.New("message too large")

// ErrMalformed is returned when a message length cannot be read.
var ErrMalformed = errors.New("malformed message length")

// Decoder reads gob values from a stream, refusing messages over a size limit.
// It is not safe for concurrent use; a connection has one reading goroutine.
type Decoder struct {
	fr  *frameReader
	dec *gob.Decoder
}

// NewDecoder returns a Decoder reading from r that rejects any gob message
// longer than max bytes (DefaultMaxMessage when max <= 0).
func NewDecoder(r io.Reader, max int) *Decoder {
	if max <= 0 {
		max = DefaultMaxMessage
	}
	fr := &frameReader{r: bufio.NewReaderSize(r, 4096), max: uint64(max)}
	return &Decoder{fr: fr, dec: gob.NewDecoder(fr)}
}

// Decode reads the next value into v, which must be a pointer.
// Errors from the stream (io.EOF at a message boundary included) are returned
// as they are; a size violation wraps ErrTooLarge.
func (d *Decoder) Decode(v any) error {
	err := d.dec.Decode(v)
	if err != nil && d.fr.err != nil {
		// gob reports framing failures as its own errors; prefer ours.
		return d.fr.err
	}
	return err
}

// frameReader passes a gob stream through while checking the length header
// of each message against max before gob sees it.
type frameReader struct {
	r      *bufio.Reader
	max    uint64
	left   uint64 // body bytes of the current message not yet read
	header []byte // header bytes parsed but not yet handed out
	hbuf   [9]byte
	err    error
}

func (f *frameReader) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(f.header) == 0 && f.left == 0 {
		if err := f.nextHeader(); err != nil {
			return 0, err
		}
	}
	if len(f.header) > 0 {
		n := copy(p, f.header)
		f.header = f.header[n:]
		return n, nil
	}
	if uint64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= uint64(n)
	if err == io.EOF && f.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// ReadByte makes frameReader an io.ByteReader, so gob does not add a buffer of
// its own on top of ours.
func (f *frameReader) ReadByte() (byte, error) {
	var b [1]byte
	_, err := io.ReadFull(f, b[:])
	return b[0], err
}

// nextHeader reads one gob length header: a byte below 0x80 is the length
// itself; otherwise its negation is the count of big-endian bytes that follow.
func (f *frameReader) nextHeader() error {
	b, err := f.r.ReadByte()
	if err != nil {
		return err // io.EOF here is a clean end between messages
	}
	f.hbuf[0] = b
	hlen := 1
	var n uint64
	if b < 0x80 {
		n = uint64(b)
	} else {
		k := int(-int8(b))
		if k < 1 || k > 8 {
			f.err = fmt.Errorf("%w: byte %#x", ErrMalformed, b)
			return f.err
		}
		if _, err := io.ReadFull(f.r, f.hbuf[1:1+k]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		for _, c := range f.hbuf[1 : 1+k] {
			n = n<<8 | uint64(c)
		}
		hlen += k
	}
	if n > f.max {
		f.err = fmt.Errorf("%w: %d bytes announced, limit %d", ErrTooLarge, n, f.max)
		return f.err
	}
	f.header = f.hbuf[:hlen]
	f.left = n
	return nil
}
