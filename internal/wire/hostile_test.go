package wire_test

import (
	"bytes"
	"encoding/gob"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	w "github.com/switchboard-rpc/switchboard/internal/wire/wiretest"
)

// The hostile streams below are written by package wiretest; this checks
// that what it writes is gob's own encoding, by having gob read it.
func TestWiretestWritesGob(t *testing.T) {
	for name, stream := range map[string][]byte{
		"deep entity": w.Cat(w.HelloTypes(), w.Hello("p", w.OneFunction("M", w.DeepEntity(5)), "tok")),
		"functions":   w.Cat(w.HelloTypes(), w.Hello("p", w.Functions(3), "")),
		"bare":        w.Cat(w.HelloTypes(), w.Hello("p", nil, "tok")),
	} {
		decodeBoth(t, stream, reflect.TypeFor[wire.Hello[fn]]())
		var h wire.Hello[fn]
		if err := wire.NewDecoder(bytes.NewReader(stream), 0).Decode(&h); err != nil || h.Name != "p" {
			t.Fatalf("%s: %+v, %v", name, h, err)
		}
	}
}

// heapCost runs f and returns how many bytes it allocated.
func heapCost(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func decodeHello(b []byte, max int) error {
	var h wire.Hello[fn]
	return wire.NewDecoder(bytes.NewReader(b), max).Decode(&h)
}

// Item 1: a 16-byte Functions map claiming 2^27 entries is refused before
// anything is allocated for it.
func TestHugeMapCountRefused(t *testing.T) {
	stream := w.Cat(w.HelloTypes(), w.Hello("p", w.Cat(w.Uint(1<<27), w.String("m")), ""))
	var err error
	cost := heapCost(func() { err = decodeHello(stream, 0) })
	if !errors.Is(err, wire.ErrMalformed) || !strings.Contains(err.Error(), "134217728 elements") {
		t.Fatalf("got %v, want ErrMalformed naming the count", err)
	}
	if cost > 1<<20 {
		t.Fatalf("refusing the map cost %d bytes", cost)
	}
	// A count the message could hold is still bounded by the items.
	many := w.Cat(w.HelloTypes(), w.Hello("p", w.Functions(300), ""))
	dec := wire.NewDecoder(bytes.NewReader(many), 0)
	dec.SetBounds(wire.Bounds{MaxItems: 100})
	var h wire.Hello[fn]
	if err := dec.Decode(&h); !errors.Is(err, wire.ErrBounds) {
		t.Fatalf("300 functions, 100 items: got %v, want ErrBounds", err)
	}
}

// Item 2: an entity nested 1,000,000 deep (3 MB) is refused at the depth
// bound, without recursing further.
func TestDeepEntityRefused(t *testing.T) {
	stream := w.Cat(w.HelloTypes(), w.Hello("p", w.OneFunction("M", w.DeepEntity(1_000_000)), ""))
	var err error
	cost := heapCost(func() { err = decodeHello(stream, wire.DefaultMaxMessage) })
	if !errors.Is(err, wire.ErrBounds) {
		t.Fatalf("got %v, want ErrBounds", err)
	}
	// The message itself is read (3 MB); nothing is built from it.
	if cost > 4*uint64(len(stream)) {
		t.Fatalf("refusing the entity cost %d bytes for a %d-byte stream", cost, len(stream))
	}
	// Under the bound it decodes.
	ok := w.Cat(w.HelloTypes(), w.Hello("p", w.OneFunction("M", w.DeepEntity(40)), ""))
	if err := decodeHello(ok, 0); err != nil {
		t.Fatalf("40 deep: %v", err)
	}
}

// Item 3: type definitions are bounded in bytes and number per stream.
func TestTypeDefinitionsBounded(t *testing.T) {
	big := w.StructType(100, strings.Repeat("T", wire.DefaultMaxTypeBytes), w.Field{Name: "A", ID: w.IntID})
	err := decodeHello(w.Cat(w.HelloTypes(), big, w.Hello("p", nil, "")), 0)
	if !errors.Is(err, wire.ErrBounds) {
		t.Fatalf("a %d-byte definition: got %v, want ErrBounds", len(big), err)
	}
	// What a definition costs to keep is counted, not only its bytes: 3,000
	// one-letter fields are 18 KB on the wire and more than 64 KiB parsed.
	fields := make([]w.Field, 3000)
	for i := range fields {
		fields[i] = w.Field{Name: "F", ID: w.IntID}
	}
	wideDef := w.StructType(100, "Wide", fields...)
	if len(wideDef) > wire.DefaultMaxTypeBytes/2 {
		t.Fatalf("the wide definition is %d bytes", len(wideDef))
	}
	if err := decodeHello(w.Cat(wideDef, w.HelloTypes(), w.Hello("p", nil, "")), 0); !errors.Is(err, wire.ErrBounds) {
		t.Fatalf("3,000 fields: got %v, want ErrBounds", err)
	}
	var many []byte
	for i := range wire.DefaultMaxTypes {
		many = append(many, w.SliceType(int64(100+i), "S", w.IntID)...)
	}
	err = decodeHello(w.Cat(w.HelloTypes(), many, w.Hello("p", nil, "")), 0)
	if !errors.Is(err, wire.ErrBounds) {
		t.Fatalf("%d definitions: got %v, want ErrBounds", wire.DefaultMaxTypes+6, err)
	}
	// A definition refused leaves the stream refused.
	dec := wire.NewDecoder(bytes.NewReader(w.Cat(big, w.HelloTypes(), w.Hello("p", nil, ""))), 0)
	var h wire.Hello[fn]
	first := dec.Decode(&h)
	if again := dec.Decode(&h); first == nil || again == nil || !errors.Is(again, wire.ErrBounds) {
		t.Fatalf("after a refused definition: %v, then %v", first, again)
	}
}

// Item 4: stored definitions cost nothing per message: an envelope after
// 200 definitions decodes with the allocations of one after none (the old
// decoder replayed every definition into a new gob decoder).
func TestStoredDefinitionsNotReplayed(t *testing.T) {
	var defs []byte
	for i := range 200 {
		defs = append(defs, w.StructType(int64(1000+i), "Junk", w.Field{Name: "X", ID: w.IntID})...)
	}
	var first bytes.Buffer
	if err := gob.NewEncoder(&first).Encode(wire.Envelope{Seq: 1, Method: "Echo", Payload: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	// The value message is the last of the stream (after the definition).
	var value []byte
	for b := first.Bytes(); len(b) > 0; {
		n := int(b[0]) + 1 // both messages are under 128 bytes
		value, b = b[:n], b[n:]
	}
	allocs := func(prefix []byte) float64 {
		r := &repeater{head: append(append([]byte(nil), prefix...), first.Bytes()...), body: value}
		dec := wire.NewDecoder(r, 0)
		var env wire.Envelope
		if err := dec.DecodeEnvelope(&env); err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(200, func() {
			if err := dec.DecodeEnvelope(&env); err != nil || env.Method != "Echo" {
				t.Fatal(env, err)
			}
		})
	}
	with, without := allocs(defs), allocs(nil)
	if with > without {
		t.Fatalf("%.2f allocations per envelope after 200 definitions, %.2f after none", with, without)
	}
}

// repeater reads head, then body over and over.
type repeater struct {
	head, body []byte
	off        int
}

func (r *repeater) Read(p []byte) (int, error) {
	if len(r.head) > 0 {
		n := copy(p, r.head)
		r.head = r.head[n:]
		return n, nil
	}
	n := copy(p, r.body[r.off:])
	r.off = (r.off + n) % len(r.body)
	return n, nil
}

// The peer's interface values and self-encoding types are refused with a
// clear error; so are values that do not fit.
func TestUnsupportedValuesRefused(t *testing.T) {
	iface := w.Cat(w.StructType(65, "Hello", w.Field{Name: "Name", ID: w.StringID}, w.Field{Name: "X", ID: w.Interface}),
		w.Value(65, []byte{1}, w.String("p"), []byte{1}, w.String("main.T"), []byte{0}))
	if err := decodeHello(iface, 0); !errors.Is(err, wire.ErrUnsupported) || !strings.Contains(err.Error(), "interface") {
		t.Fatalf("interface field: got %v", err)
	}
	enc := w.Cat(w.StructType(65, "Hello", w.Field{Name: "Name", ID: w.StringID}, w.Field{Name: "Functions", ID: 66}),
		w.GobEncoderType(66, "Opaque"),
		w.Value(65, []byte{1}, w.String("p"), []byte{1}, w.String("xx"), []byte{0}))
	if err := decodeHello(enc, 0); !errors.Is(err, wire.ErrUnsupported) || !strings.Contains(err.Error(), "GobEncoder") {
		t.Fatalf("GobEncoder field: got %v", err)
	}
	mismatch := w.Cat(w.StructType(65, "Hello", w.Field{Name: "Name", ID: w.IntID}),
		w.Value(65, []byte{1}, w.Int(5), []byte{0}))
	if err := decodeHello(mismatch, 0); !errors.Is(err, wire.ErrUnsupported) {
		t.Fatalf("int Name: got %v", err)
	}
	undefined := w.Value(77, []byte{0})
	if err := decodeHello(undefined, 0); !errors.Is(err, wire.ErrUnsupported) {
		t.Fatalf("undefined type: got %v", err)
	}
}

// A decoder charged to a Budget holds it while it reads and for the
// definitions it keeps, refuses past it, and gives it all back on Release.
func TestBudget(t *testing.T) {
	stream := w.Cat(w.HelloTypes(), w.Hello("p", w.Functions(2), ""))
	b := wire.NewBudget(1 << 20)
	dec := wire.NewDecoder(bytes.NewReader(stream), 0)
	dec.ChargeTo(b)
	var h wire.Hello[fn]
	if err := dec.Decode(&h); err != nil {
		t.Fatal(err)
	}
	// The six definitions are kept (about 100 bytes each beyond their
	// own); the value's message was given back once decoded.
	if b.Used() < int64(len(stream))/2 || b.Used() > int64(len(stream))+1024 {
		t.Fatalf("%d bytes charged after a %d-byte stream", b.Used(), len(stream))
	}
	dec.Release()
	dec.Release()
	if b.Used() != 0 {
		t.Fatalf("%d bytes charged after Release", b.Used())
	}
	small := wire.NewBudget(200)
	dec = wire.NewDecoder(bytes.NewReader(stream), 0)
	dec.ChargeTo(small)
	if err := dec.Decode(&h); !errors.Is(err, wire.ErrBudget) {
		t.Fatalf("200-byte budget: got %v, want ErrBudget", err)
	}
	dec.Release()
	if small.Used() != 0 {
		t.Fatalf("%d bytes charged after a refusal and Release", small.Used())
	}
}
