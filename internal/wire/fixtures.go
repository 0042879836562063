package wire

import (
	"errors"
	"fmt"
)

// Split cuts a gob stream into values: each element is the bytes of one value
// message together with the type definitions sent just before it. Tests use
// it to replay a recorded stream one value at a time.
func Split(stream []byte) ([][]byte, error) {
	var out [][]byte
	start := 0
	for i := 0; i < len(stream); {
		n, w, err := uintAt(stream[i:])
		if err != nil {
			return nil, err
		}
		body := i + w
		end := body + int(n)
		if n == 0 || end > len(stream) {
			return nil, fmt.Errorf("%w: message at %d runs past the end", ErrMalformed, i)
		}
		id, _, err := intAt(stream[body:end])
		if err != nil {
			return nil, err
		}
		i = end
		if id > 0 { // a value; negative ids define types
			out = append(out, stream[start:end])
			start = end
		}
	}
	if start != len(stream) {
		return nil, fmt.Errorf("%w: type definitions with no value after them", ErrMalformed)
	}
	return out, nil
}

// uintAt reads a gob unsigned integer and returns it with its width.
func uintAt(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, errors.New("wire: no bytes")
	}
	if b[0] < 0x80 {
		return uint64(b[0]), 1, nil
	}
	k := int(-int8(b[0]))
	if k < 1 || k > 8 || len(b) < 1+k {
		return 0, 0, ErrMalformed
	}
	var n uint64
	for _, c := range b[1 : 1+k] {
		n = n<<8 | uint64(c)
	}
	return n, 1 + k, nil
}

// intAt reads a gob signed integer (zig-zag in the low bit).
func intAt(b []byte) (int64, int, error) {
	u, w, err := uintAt(b)
	if err != nil {
		return 0, 0, err
	}
	if u&1 != 0 {
		return ^int64(u >> 1), w, nil
	}
	return int64(u >> 1), w, nil
}
