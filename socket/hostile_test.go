package socket_test

import (
	"encoding/gob"
	"net"
	"runtime"
	"strings"
	"testing"

	w "github.com/switchboard-rpc/switchboard/internal/wire/wiretest"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// The known attacks on the wire, each by a raw peer over real TCP
// with no token: the connection is refused with a clear logged reason, the
// memory it cost stays far below what the attack used to, and a legitimate
// plugin still connects and is served afterwards.

// memory reports the heap in use and the bytes allocated so far, after a
// collection.
func memory() (heap, total uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.TotalAlloc
}

// attack writes b on a new connection to addr and waits until the socket
// closes it.
func attack(t *testing.T, addr string, b []byte) {
	t.Helper()
	c := rawDial(t, addr)
	go c.Write(b) // fails once the socket closes the connection
	closedByPeer(t, c)
}

// stillServing checks that a legitimate plugin connects and is served.
func stillServing(t *testing.T, s *socket.Socket, addr, name string) {
	t.Helper()
	connectTCP(t, s, addr, name, newSvc())
	if got, err := s.Call("", name, "Upper", "ok"); err != nil || got != "OK" {
		t.Fatalf("after the attack: %v, %v", got, err)
	}
}

func TestHostileHandshakes(t *testing.T) {
	types := w.HelloTypes()
	var manyDefs []byte
	for i := range 4 {
		// 1 MiB each, 16 times what a stream may define in all.
		manyDefs = append(manyDefs, w.StructType(int64(100+i), strings.Repeat("T", 1<<20), w.Field{Name: "A", ID: w.IntID})...)
	}
	for _, tc := range []struct {
		name   string
		stream []byte
		reason string
		cost   uint64 // the most the attack may allocate, in all
	}{
		// Item 1: 2^27 entries in 16 bytes (gob: fatal out of memory).
		{"huge map", w.Cat(types, w.Hello("p", w.Cat(w.Uint(1<<27), w.String("m")), "")),
			"134217728 elements announced", 4 << 20},
		// Item 2: 1,000,000 levels in 3 MB (gob: fatal stack overflow).
		{"deep entity", w.Cat(types, w.Hello("p", w.OneFunction("M", w.DeepEntity(1_000_000)), "")),
			"nested too deeply", 16 << 20},
		// Item 3: type definitions hoarded before any handshake (gob: 93
		// of 16 MiB killed a 4 GiB host).
		{"type definitions", manyDefs, "type definitions past", 8 << 20},
		// Item 9: 300,000 methods in 7 MB (gob: +1.8 GB, and calls to
		// other plugins stalled while it was copied under the locks).
		// Refused by the item bound before the map is made; what it
		// costs is reading the message.
		{"300,000 methods", w.Cat(types, w.Hello("p", w.Functions(300_000), "")),
			"items left", 32 << 20},
		// Interface values are not read.
		{"interface", w.Cat(w.StructType(65, "Hello", w.Field{Name: "Name", ID: w.StringID}, w.Field{Name: "X", ID: w.Interface}),
			w.Value(65, []byte{1}, w.String("p"), []byte{1}, w.String("main.T"), []byte{0})),
			"interface values", 4 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			s := newSocket(t, socket.WithLogger(logs.logger()))
			addr := listen(t, s)
			heap0, total0 := memory()
			attack(t, addr, tc.stream)
			logs.waitLog(t, tc.reason)
			heap1, total1 := memory()
			t.Logf("%d-byte attack: %d bytes allocated, heap %+d", len(tc.stream), total1-total0, int64(heap1)-int64(heap0))
			if cost := total1 - total0; cost > tc.cost {
				t.Errorf("the attack cost %d bytes; the bound is %d", cost, tc.cost)
			}
			if heap1 > heap0+4<<20 {
				t.Errorf("the heap grew from %d to %d bytes", heap0, heap1)
			}
			if got := s.Stats(); got.Refused != 1 || got.PreAuthBytes != 0 {
				t.Errorf("stats after the attack: %+v", got)
			}
			stillServing(t, s, addr, "legit")
		})
	}
}

// Item 4: envelopes after many stored type definitions are decoded
// without replaying them (gob: 200 pairs cost 11 s of CPU); the plugin that
// sent them is served normally.
func TestStoredDefinitionsCostNothingPerEnvelope(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	c := rawDial(t, addr)
	var junk []byte
	for i := range 200 {
		junk = append(junk, w.StructType(int64(1000+i), "Junk", w.Field{Name: "X", ID: w.IntID})...)
	}
	const env = 2000
	if _, err := c.Write(w.Cat(types(), junk, w.Hello("raw", w.Functions(1), ""), w.EnvelopeType(env))); err != nil {
		t.Fatal(err)
	}
	if !s.WaitFor("raw", deadline) {
		t.Fatal("the plugin was not registered")
	}
	go func() { // answer every request with its argument
		dec := gob.NewDecoder(c)
		for {
			var req rawEnvelope
			if dec.Decode(&req) != nil {
				return
			}
			c.Write(w.Envelope(env, req.Seq, req.Method, req.Payload))
		}
	}()
	_, total0 := memory()
	const calls = 200
	for i := range calls {
		if got, err := s.Call("", "raw", "m0", i); err != nil || got != float64(i) {
			t.Fatalf("call %d: %v, %v", i, got, err)
		}
	}
	_, total1 := memory()
	// Each call costs a few hundred bytes; replaying 200 definitions per
	// envelope would cost far more.
	if per := (total1 - total0) / calls; per > 16<<10 {
		t.Errorf("%d bytes allocated per call", per)
	}
}

func types() []byte { return w.HelloTypes() }

// rejection reads what the socket sent on c before closing it: brpc's
// rejection, a Shutdown envelope whose Error is the reason.
func rejection(t *testing.T, c net.Conn) string {
	t.Helper()
	var rej rawEnvelope
	if err := gob.NewDecoder(c).Decode(&rej); err != nil || rej.Method != "Shutdown" || rej.Error == "" {
		t.Fatalf("no rejection: %+v, %v", rej, err)
	}
	return rej.Error
}

// Items 8 and 9: names with control characters and descriptions past the
// bounds are refused at registration, and the plugin is told why.
func TestHandshakeRefusedWithReason(t *testing.T) {
	var wide []byte // one method whose input has more fields than allowed
	wide = w.Cat(w.Uint(1), w.String("M"), []byte{2, 4}, w.Uint(socket.MaxEntities))
	for range socket.MaxEntities {
		wide = append(wide, 2, 1, 'x', 0) // {Type: "x"}
	}
	wide = append(wide, 0, 0)
	for _, tc := range []struct {
		name, hello, reason string
	}{
		{"escape in name", string(w.Hello("p\x1b]0;owned\x07", w.Functions(1), "")), `holds the control character U+001B`},
		{"newline in name", string(w.Hello("kv\n[disconnect] kv stopped", nil, "")), `holds the control character U+000A`},
		{"bidi override", string(w.Hello("p\u202e", nil, "")), `holds the control character U+202E`},
		{"invalid UTF-8", string(w.Hello("p\xff", nil, "")), `is not valid UTF-8`},
		{"control in method", string(w.Hello("p", w.Cat(w.Uint(1), w.String("M\r"), []byte{0}), "")), `method name "M\r"`},
		{"too many methods", string(w.Hello("p", w.Functions(socket.MaxFunctions+1), "")), "description of 10001 methods"},
		{"too deep", string(w.Hello("p", w.OneFunction("M", w.DeepEntity(socket.MaxEntityDepth+1)), "")), "entities nested deeper than 32"},
		{"too many entities", string(w.Hello("p", wide, "")), "more than 100000 entities"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			s := newSocket(t, socket.WithLogger(logs.logger()))
			addr := listen(t, s)
			c := rawDial(t, addr)
			go c.Write(w.Cat(types(), []byte(tc.hello)))
			if got := rejection(t, c); !strings.Contains(got, tc.reason) {
				t.Errorf("rejected with %q; want it to say %q", got, tc.reason)
			}
			closedByPeer(t, c)
			logs.waitLog(t, "plugin refused")
			if len(s.Connected(false)) != 0 {
				t.Error("the plugin was registered")
			}
			stillServing(t, s, addr, "legit")
		})
	}
	// At the bounds a description is accepted.
	s := newSocket(t)
	addr := listen(t, s)
	c := rawDial(t, addr)
	go c.Write(w.Cat(types(), w.Hello("big", w.Functions(socket.MaxFunctions), "")))
	if !s.WaitFor("big", deadline) {
		t.Fatal("a description at the bounds was refused")
	}
	if n := len(s.PluginInfo("big").Functions); n != socket.MaxFunctions {
		t.Fatalf("%d functions registered", n)
	}
	c.Close()
	checkFor(t, func() bool { return s.PluginInfo("big") == nil }, "the plugin to leave")
}

// Item 3, across connections: the connections that have not authenticated
// share one budget. Two that hold most of it, with a message they are
// still sending or with the type definitions they sent, leave no room for
// a third, which is refused; once they are gone, a plugin connects.
func TestPreAuthBudgetShared(t *testing.T) {
	// Definitions, then the start of a 60,000-byte message that never ends.
	message := w.Cat(types(), w.Uint(60_000), []byte{1, 2, 3})
	// Six definitions of about 10 KB: about 60 KB kept, under the 64 KiB a
	// connection may keep.
	var definitions []byte
	for i := range 6 {
		definitions = append(definitions, w.StructType(int64(100+i), strings.Repeat("T", 9700), w.Field{Name: "A", ID: w.IntID})...)
	}
	for name, hold := range map[string][]byte{"messages": message, "type definitions": definitions} {
		t.Run(name, func(t *testing.T) {
			logs := &logBuffer{}
			const maxMsg, budget = 64 << 10, 128 << 10
			s := newSocket(t, socket.WithLogger(logs.logger()), socket.WithMaxMessage(maxMsg),
				socket.WithPreAuthBudget(budget), socket.WithToken("secret"))
			addr := listen(t, s)
			var holders []net.Conn
			for range 2 {
				c := rawDial(t, addr)
				if _, err := c.Write(hold); err != nil {
					t.Fatal(err)
				}
				holders = append(holders, c)
			}
			checkFor(t, func() bool { return s.Stats().PreAuthBytes > 118_000 }, "the holders to be charged: %+v", s.Stats())
			attack(t, addr, hold)
			logs.waitLog(t, "shared memory budget exhausted")
			for _, c := range holders {
				c.Close()
			}
			checkFor(t, func() bool { return s.Stats().PreAuthBytes == 0 }, "the budget to be released: %+v", s.Stats())
			dialPlugin(t, addr, "legit", newSvc(), plugin.WithToken("secret"))
			if !s.WaitFor("legit", deadline) {
				t.Fatal("the plugin did not register")
			}
			if got, err := s.Call("", "legit", "Upper", "ok"); err != nil || got != "OK" {
				t.Fatalf("after the attack: %v, %v", got, err)
			}
			if got := s.Stats(); got.PreAuthBytes != 0 || got.Refused != 3 {
				t.Fatalf("stats: %+v; want nothing charged once authenticated, 3 refused", got)
			}
		})
	}
}
