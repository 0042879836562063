package socket_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// The benchmarks report each figure beside a baseline measured in the same
// run, as the ratio "x-raw": a raw, length-prefixed ping-pong of about the
// same size over the same transport (loopback TCP). The ratio survives a noisy
// machine; the absolute ns/op does not.

const benchText = "the quick brown fox jumps over the lazy dog, 0123456789" // ~64 bytes on the wire as JSON

type benchSvc struct{}

func (benchSvc) Echo(_ context.Context, in string) (string, error) { return in, nil }

// benchSocket starts a socket with one in-process plugin connected over
// loopback TCP.
func benchSocket(b *testing.B) *socket.Socket {
	b.Helper()
	s, _ := socket.New()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s.Serve(lis)
	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	p := plugin.New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Start(benchSvc{}, &plugin.Info{Name: "bench"}, conn, nil)
	}()
	if !s.WaitFor("bench", deadline) {
		b.Fatal("bench plugin did not register")
	}
	b.Cleanup(func() {
		_ = s.Shutdown("")
		<-done
	})
	return s
}

func BenchmarkCall(b *testing.B) {
	b.Run("sequential", func(b *testing.B) {
		base := rawBaseline(b, 1)
		s := benchSocket(b)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := s.Call("", "bench", "Echo", benchText); err != nil {
				b.Fatal(err)
			}
		}
		reportRatio(b, base)
	})
	b.Run("parallel64", func(b *testing.B) {
		base := rawBaseline(b, 64)
		s := benchSocket(b)
		b.ReportAllocs()
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Call("", "bench", "Echo", benchText); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRatio(b, base)
	})
}

func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{10, 100} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s, _ := socket.New()
			var wg sync.WaitGroup
			for i := range n {
				a, c := net.Pipe()
				s.ServeConn(a)
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = plugin.New().Start(benchSvc{}, &plugin.Info{Name: "p" + strconv.Itoa(i)}, c, nil)
				}()
			}
			for i := range n {
				s.WaitFor("p"+strconv.Itoa(i), deadline)
			}
			b.Cleanup(func() { _ = s.Shutdown(""); wg.Wait() })
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, errs := s.Broadcast("", "Echo", benchText)
				if len(res) != n || len(errs) != 0 {
					b.Fatalf("%d results, %v", len(res), errs)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/plugin")
		})
	}
}

func reportRatio(b *testing.B, base float64) {
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(base, "raw-ns/op")
	b.ReportMetric(perOp/base, "x-raw")
}

// rawBaseline measures, in this benchmark and for the same b.N, the ns per
// round trip of a length-prefixed ~64-byte ping-pong over loopback TCP, with
// the given number of concurrent callers multiplexed on one connection.
// (testing.Benchmark cannot run inside a benchmark, hence the manual timing.)
func rawBaseline(b *testing.B, callers int) float64 {
	b.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer lis.Close()
	go rawEchoServer(lis)
	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	mc := newMuxClient(conn)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range callers {
		n := b.N / callers
		if c < b.N%callers {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				mc.roundTrip(uint32(c))
			}
		}()
	}
	wg.Wait()
	return float64(time.Since(start).Nanoseconds()) / float64(max(1, b.N))
}

// rawEchoServer echoes frames of [4-byte length][4-byte caller id][body],
// flushing whenever it has no more input buffered.
func rawEchoServer(lis net.Listener) {
	c, err := lis.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	br, bw := bufio.NewReader(c), bufio.NewWriter(c)
	buf := make([]byte, 1<<16)
	for {
		if _, err := io.ReadFull(br, buf[:4]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(buf[:4])
		if _, err := io.ReadFull(br, buf[4:4+n]); err != nil {
			return
		}
		bw.Write(buf[:4+n])
		if br.Buffered() == 0 {
			if bw.Flush() != nil {
				return
			}
		}
	}
}

// muxClient sends frames from many callers over one connection and routes
// the echoes back by caller id.
type muxClient struct {
	wmu     sync.Mutex
	bw      *bufio.Writer
	replies sync.Map // caller id -> chan struct{}
	payload []byte
}

func newMuxClient(c net.Conn) *muxClient {
	m := &muxClient{bw: bufio.NewWriter(c), payload: []byte(strings.Repeat("x", 60))}
	go func() {
		br := bufio.NewReader(c)
		hdr := make([]byte, 8)
		body := make([]byte, 1<<16)
		for {
			if _, err := io.ReadFull(br, hdr); err != nil {
				return
			}
			n := binary.BigEndian.Uint32(hdr[:4]) - 4
			if _, err := io.ReadFull(br, body[:n]); err != nil {
				return
			}
			id := binary.BigEndian.Uint32(hdr[4:])
			if ch, ok := m.replies.Load(id); ok {
				ch.(chan struct{}) <- struct{}{}
			}
		}
	}()
	return m
}

func (m *muxClient) roundTrip(id uint32) {
	chAny, _ := m.replies.LoadOrStore(id, make(chan struct{}, 1))
	ch := chAny.(chan struct{})
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(4+len(m.payload)))
	binary.BigEndian.PutUint32(hdr[4:], id)
	m.wmu.Lock()
	m.bw.Write(hdr[:])
	m.bw.Write(m.payload)
	m.bw.Flush()
	m.wmu.Unlock()
	<-ch
}
