package wire_test

import (
	"bytes"
	"encoding/gob"
	"math/rand"
	"reflect"
	"testing"
	"testing/quick"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// wide has a field of every kind the decoder reads.
type wide struct {
	B     bool
	I8    int8
	I     int
	I64   int64
	U16   uint16
	U     uint
	F32   float32
	F     float64
	C     complex128
	S     string
	Raw   []byte
	Ints  []int
	Arr   [3]string
	M     map[string][]int
	MI    map[int]inner
	In    inner
	P     *inner
	PP    **int
	Ps    []*inner
	Grid  [][]uint8
	Names map[string]string
}

type inner struct {
	X int
	Y string
	Z []float64
}

// narrow has some of wide's fields, so that decoding wide into it skips the
// others, of every kind.
type narrow struct {
	I   int
	S   string
	Arr [3]string
	P   *inner
}

// decodeBoth decodes the gob stream b with gob and with our decoder into
// new values of type typ and fails if they differ.
func decodeBoth(t *testing.T, b []byte, typ reflect.Type) {
	t.Helper()
	want := reflect.New(typ)
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(want.Interface()); err != nil {
		t.Fatalf("gob: %v", err)
	}
	got := reflect.New(typ)
	if err := wire.NewDecoder(bytes.NewReader(b), 0).Decode(got.Interface()); err != nil {
		t.Fatalf("wire: %v", err)
	}
	if !reflect.DeepEqual(got.Elem().Interface(), want.Elem().Interface()) {
		t.Fatalf("%v:\n got %+v\nwant %+v", typ, got.Elem(), want.Elem())
	}
}

// Our decoder reads what gob writes exactly as gob reads it: random values
// of every kind, into the same type and into one lacking most fields.
func TestDecoderAgreesWithGob(t *testing.T) {
	rnd := rand.New(rand.NewSource(11))
	for range 300 {
		v, ok := quick.Value(reflect.TypeFor[wide](), rnd)
		if !ok {
			t.Fatal("no value")
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(v.Interface()); err != nil {
			continue // a nil pointer in a slice, which gob does not send
		}
		decodeBoth(t, buf.Bytes(), reflect.TypeFor[wide]())
		decodeBoth(t, buf.Bytes(), reflect.TypeFor[narrow]())
	}
	// Handshakes with random descriptions, and values that are not structs.
	for range 200 {
		h := wire.Hello[fn]{Name: "p", Version: "1", Functions: map[string]fn{}, Token: "t", Caps: []string{"cancel"}}
		for i := range rnd.Intn(8) {
			name := string(rune('A' + i))
			h.Functions[name] = fn{Name: name, Input: randomEntity(rnd, 4), Output: randomEntity(rnd, 4)}
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(h); err != nil {
			t.Fatal(err)
		}
		decodeBoth(t, buf.Bytes(), reflect.TypeFor[wire.Hello[fn]]())
	}
	for _, v := range []any{42, "text", []string{"a", "b"}, map[string]int{"x": 1}, [2]bool{true, false}, 3.5, inner{X: 1}} {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(v); err != nil {
			t.Fatal(err)
		}
		decodeBoth(t, buf.Bytes(), reflect.TypeOf(v))
	}
}

func randomEntity(rnd *rand.Rand, depth int) *ent {
	if rnd.Intn(4) == 0 {
		return nil
	}
	e := &ent{Name: "f", Type: []string{"int", "string", "struct"}[rnd.Intn(3)], Mandatory: rnd.Intn(2) == 0}
	if depth > 0 && e.Type == "struct" {
		for range rnd.Intn(4) {
			if f := randomEntity(rnd, depth-1); f != nil {
				e.Fields = append(e.Fields, *f)
			}
		}
	}
	return e
}

// Envelopes whose type the fast path does not take (a field of another
// kind) are read by the general decoder, with the same result as gob.
func TestDecoderReadsUnusualEnvelopeType(t *testing.T) {
	type Envelope struct { // as a newer peer might send it
		Seq     uint64
		Meta    map[string]string
		Trace   string
		Method  string
		Error   string
		Payload []byte
		Extra   []inner
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	for i := range 3 {
		e := Envelope{Seq: uint64(i), Meta: map[string]string{"k": "v"}, Method: "M", Payload: []byte("1"), Extra: []inner{{X: i}}}
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	dec := wire.NewDecoder(&buf, 0)
	for i := range 3 {
		var env wire.Envelope
		if err := dec.DecodeEnvelope(&env); err != nil {
			t.Fatal(err)
		}
		if env.Seq != uint64(i) || env.Method != "M" || string(env.Payload) != "1" {
			t.Fatalf("envelope %d: %+v", i, env)
		}
	}
}
