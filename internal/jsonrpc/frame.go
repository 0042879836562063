package jsonrpc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Framing is how messages are delimited on a stream.
type Framing uint8

const (
	// Unknown is the framing of a Reader that has read no message yet.
	Unknown Framing = iota
	// Lines is one message per line, ended by "\n" (a "\r" before it is
	// allowed); blank lines between messages are skipped.
	Lines
	// Headers is LSP's framing: header lines ended by "\r\n", among them
	// Content-Length, an empty line, then exactly that many bytes.
	Headers
)

// String names the framing.
func (f Framing) String() string {
	switch f {
	case Lines:
		return "newline-delimited"
	case Headers:
		return "Content-Length"
	}
	return "unknown"
}

// Bounds of the header framing.
const (
	// MaxHeaderLine is the longest header line, its "\r\n" included.
	MaxHeaderLine = 1024
	// MaxHeaders is how many header lines one message may have.
	MaxHeaders = 16
)

// Errors a Reader returns, checkable with errors.Is. After any of them the
// stream is unusable.
var (
	// ErrTooLarge: a message, or a line, longer than the maximum.
	ErrTooLarge = errors.New("jsonrpc: message too large")
	// ErrFraming: bytes that are neither framing, or a malformed header.
	ErrFraming = errors.New("jsonrpc: bad framing")
)

// Reader reads framed messages from a stream. It is not safe for concurrent
// use.
type Reader struct {
	br      *bufio.Reader
	max     int
	framing Framing
	buf     []byte
	err     error
	// charge, when set, is asked for room before the buffer grows by n
	// bytes; its error fails the read.
	charge func(n int) error
}

// NewReader returns a Reader of messages of at most max bytes from r.
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 4096), max: max}
}

// ChargeTo makes the Reader call charge(n) before it holds n more bytes of a
// message; an error from charge fails the read with that error. nil stops
// charging. It does not block.
func (r *Reader) ChargeTo(charge func(n int) error) { r.charge = charge }

// Framing returns the framing of the stream, Unknown until a message was
// read.
func (r *Reader) Framing() Framing { return r.framing }

// Read returns the next message's bytes, valid until the next Read. It
// blocks until a whole message has arrived or the stream fails; io.EOF is
// returned as it is when the stream ends between messages. After an error,
// every Read returns it.
func (r *Reader) Read() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	msg, err := r.read()
	if err != nil {
		r.err = err
		return nil, err
	}
	return msg, nil
}

func (r *Reader) read() ([]byte, error) {
	if r.framing == Unknown {
		c, err := r.skipSpace()
		if err != nil {
			return nil, err
		}
		switch c {
		case '{', '[':
			r.framing = Lines
		case 'C', 'c':
			r.framing = Headers
		default:
			return nil, fmt.Errorf("%w: a message starts with %q, neither JSON nor a Content-Length header", ErrFraming, c)
		}
	}
	if r.framing == Lines {
		return r.line()
	}
	return r.headed()
}

// skipSpace skips JSON whitespace, at most max bytes of it, and peeks at the
// byte after.
func (r *Reader) skipSpace() (byte, error) {
	for n := 0; ; n++ {
		b, err := r.br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) && n > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			if n >= r.max {
				return 0, fmt.Errorf("%w: more than %d bytes of white space", ErrTooLarge, r.max)
			}
			_, _ = r.br.ReadByte()
		default:
			return b[0], nil
		}
	}
}

// grow makes room in r.buf for n more bytes, charging them first.
func (r *Reader) grow(n int) error {
	if len(r.buf)+n <= cap(r.buf) {
		return nil
	}
	want := max(2*cap(r.buf), len(r.buf)+n, 512)
	want = min(want, r.max+2) // a line's "\r\n" is not the message's
	if r.charge != nil {
		// What is charged stops at max: one message of the largest size
		// fits in a budget of that size, line end included.
		if more := min(want, r.max) - min(cap(r.buf), r.max); more > 0 {
			if err := r.charge(more); err != nil {
				return err
			}
		}
	}
	nb := make([]byte, len(r.buf), want)
	copy(nb, r.buf)
	r.buf = nb
	return nil
}

// line reads one newline-delimited message, skipping blank lines.
func (r *Reader) line() ([]byte, error) {
	for {
		if _, err := r.skipSpace(); err != nil {
			return nil, err
		}
		r.buf = r.buf[:0]
		for {
			chunk, err := r.br.ReadSlice('\n')
			if len(r.buf)+len(chunk) > r.max+2 { // the line's "\r\n" is not the message's
				return nil, fmt.Errorf("%w: a line longer than %d bytes", ErrTooLarge, r.max)
			}
			if gerr := r.grow(len(chunk)); gerr != nil {
				return nil, gerr
			}
			r.buf = append(r.buf, chunk...)
			if err == nil {
				break
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF // a message without its newline
			}
			return nil, err
		}
		msg := bytes.TrimRight(r.buf, " \t\r\n")
		if len(msg) > r.max {
			return nil, fmt.Errorf("%w: a line longer than %d bytes", ErrTooLarge, r.max)
		}
		if len(msg) > 0 {
			return msg, nil
		}
	}
}

// headed reads one message framed by headers.
func (r *Reader) headed() ([]byte, error) {
	length := -1
	for i := 0; ; i++ {
		if i > MaxHeaders {
			return nil, fmt.Errorf("%w: more than %d header lines", ErrFraming, MaxHeaders)
		}
		line, err := r.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > MaxHeaderLine {
			return nil, fmt.Errorf("%w: a header line longer than %d bytes", ErrFraming, MaxHeaderLine)
		}
		if err != nil {
			if errors.Is(err, io.EOF) && (i > 0 || len(line) > 0) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if i == 0 { // a stray line end between messages
				i--
				continue
			}
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return nil, fmt.Errorf("%w: header line %q has no colon", ErrFraming, line)
		}
		if !bytes.EqualFold(bytes.TrimSpace(name), []byte("Content-Length")) {
			continue // Content-Type and the like
		}
		n, err := strconv.Atoi(string(bytes.TrimSpace(value)))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: Content-Length %q is not a length", ErrFraming, bytes.TrimSpace(value))
		}
		length = n
	}
	switch {
	case length < 0:
		return nil, fmt.Errorf("%w: headers without Content-Length", ErrFraming)
	case length > r.max:
		return nil, fmt.Errorf("%w: Content-Length %d is over %d", ErrTooLarge, length, r.max)
	}
	r.buf = r.buf[:0]
	if err := r.grow(length); err != nil {
		return nil, err
	}
	r.buf = r.buf[:length]
	if _, err := io.ReadFull(r.br, r.buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return r.buf, nil
}

// Release drops the Reader's message buffer: the next message starts a new
// one. A caller that charged a large message uses it so as not to keep the
// buffer. It does not block.
func (r *Reader) Release() { r.buf = nil }

// Append appends msg framed as f to dst and returns the result. msg must be
// one JSON value without a newline in it (encoding/json's output is).
func Append(dst []byte, f Framing, msg []byte) []byte {
	if f == Headers {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(msg)), 10)
		dst = append(dst, "\r\n\r\n"...)
		return append(dst, msg...)
	}
	dst = append(dst, msg...)
	return append(dst, '\n')
}

// Buffered returns how many bytes have been read from the stream and not
// yet returned: a writer answering messages flushes when it is 0. It does
// not block.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Begin starts a message framed as f at the end of dst, to be written in
// place with appends and ended by End; it returns where the message starts.
// No message is copied: for Headers, End moves it once, within dst, to make
// room for its header.
func Begin(dst []byte) int { return len(dst) }

// End frames as f the message that Begin started at start and that has been
// appended to dst since, and returns dst. The message must be one JSON
// value without a newline in it, as for Append.
func End(dst []byte, f Framing, start int) []byte {
	if f != Headers {
		return append(dst, '\n')
	}
	var hb [40]byte
	h := append(hb[:0], "Content-Length: "...)
	h = strconv.AppendInt(h, int64(len(dst)-start), 10)
	h = append(h, "\r\n\r\n"...)
	n := len(dst)
	dst = append(dst, h...) // room
	copy(dst[start+len(h):], dst[start:n])
	copy(dst[start:], h)
	return dst
}
