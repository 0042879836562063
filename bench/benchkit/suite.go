package benchkit

import (
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/switchboard-rpc/switchboard/socket"
)

// The performance targets (issue 20), as ratios to a baseline or a peer
// measured in the same run, except the idle plugin's absolute bounds.
const (
	TargetSequential     = 1.5      // typed Call, sequential / plain ping-pong, at most
	TargetSequentialRPC  = 1.0      // typed Call, sequential / net/rpc's, below
	TargetParallel       = 0.60     // typed Call at 64 callers / raw coalesced, calls/s, at least
	TargetParallelRPC    = 2.5      // typed Call at 64 callers / net/rpc's, calls/s, at least
	TargetBroadcast      = 1.0      // Broadcast to 1,000, per plugin / plain round trip, at most
	TargetJS             = 1.2      // JS call() / the same typed Call from Go, at most
	TargetLua            = 1.1      // Lua call() / the same typed Call from Go, at most
	TargetJSONRPC        = 1.2      // JSON-RPC peer / gob plugin, same calls, at most
	TargetNATS           = 1.3      // typed Call over NATS / raw nats.go request/reply, same server, at most
	TargetMonitor        = 1.05     // typed Call with the monitor observing / without, at most
	TargetIdleBytes      = 16 << 10 // idle plugin, HeapInuse+StackInuse, both sides, at most
	TargetIdleGoroutines = 2        // idle plugin, goroutines, both sides, at most
)

// Row is one line of the suite's table.
type Row struct {
	Figure   string
	Value    string
	Baseline string
	Ratio    string
	Target   string
	Pass     bool
	Info     bool // no target: reported only
}

// Config sets how long the suite measures.
type Config struct {
	Rounds int           // alternated rounds per comparison (medians taken); default 41
	Time   time.Duration // time per round of the measured figure; default 40ms
	Log    io.Writer     // progress, may be nil
	// Observer makes the observer of the monitored figure (the monitor,
	// which this package cannot import: see Monitored); when nil, those
	// rows are left out.
	Observer func() socket.Observer
}

func (c *Config) defaults() {
	if c.Rounds < 1 {
		c.Rounds = 41
	}
	if c.Time <= 0 {
		c.Time = 40 * time.Millisecond
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// closers gathers what Suite started, to close it when it returns.
type closers []func()

func (c *closers) add(f func()) { *c = append(*c, f) }
func (c closers) close() {
	for i := len(c) - 1; i >= 0; i-- {
		c[i]()
	}
}

// Suite runs every figure of the performance suite and returns the table
// rows and the scaling table.
func Suite(cfg Config) (rows []Row, scaling []Row, err error) {
	cfg.defaults()
	logf := func(format string, a ...any) { fmt.Fprintf(cfg.Log, format+"\n", a...) }
	var done closers
	defer done.close()

	plain, err := NewPlain()
	if err != nil {
		return nil, nil, err
	}
	done.add(plain.Close)
	rawC, err := NewRaw(true)
	if err != nil {
		return nil, nil, err
	}
	done.add(rawC.Close)
	rawU, err := NewRaw(false)
	if err != nil {
		return nil, nil, err
	}
	done.add(rawU.Close)
	nr, err := NewNetRPC()
	if err != nil {
		return nil, nil, err
	}
	done.add(nr.Close)
	h, err := NewHub(1)
	if err != nil {
		return nil, nil, err
	}
	done.add(h.Close)
	if err := h.AddJSONRPC("j0"); err != nil {
		return nil, nil, err
	}
	if err := h.AddAny("a0"); err != nil {
		return nil, nil, err
	}

	calls := func(callers int) Op { return func(n int) (time.Duration, error) { return h.Calls(n, callers) } }
	rpcs := func(callers int) Op { return func(n int) (time.Duration, error) { return nr.Calls(n, callers) } }
	raw := func(r *Raw, callers int) Op { return func(n int) (time.Duration, error) { return r.Run(n, callers) } }

	logf("typed Call, sequential, vs plain ping-pong, net/rpc, multiplexed raw")
	m, err := Compare(cfg.Rounds, cfg.Time, plain.Run, calls(1), rpcs(1), raw(rawC, 1))
	if err != nil {
		return nil, nil, err
	}
	plainNs := m.Ns[0]
	base := us(plainNs) + " plain ping-pong"
	r := m.Ratio[1]
	rows = append(rows, Row{"typed Call, sequential (µs/call)", us(m.Ns[1]), base, xt(r, TargetSequential), "≤ 1.5×", r <= TargetSequential, false})
	r = m.Ratio[1] / m.Ratio[2]
	rows = append(rows, Row{"typed Call, sequential, vs net/rpc", us(m.Ns[1]), us(m.Ns[2]) + " net/rpc", xt(r, TargetSequentialRPC), "< 1.00×", r < TargetSequentialRPC, false})
	rows = append(rows, Row{"net/rpc, sequential (µs/call)", us(m.Ns[2]), base, x(m.Ratio[2]), "", true, true})
	rows = append(rows, Row{"raw multiplexed, 1 caller (µs/call)", us(m.Ns[3]), base, x(m.Ratio[3]), "", true, true})

	logf("typed Call, 64 callers, vs raw coalesced and net/rpc")
	m, err = Compare(cfg.Rounds, cfg.Time, raw(rawC, 64), calls(64), rpcs(64), raw(rawU, 64))
	if err != nil {
		return nil, nil, err
	}
	// Ratios of times per call are inverse ratios of calls per second.
	r = 1 / m.Ratio[1]
	rows = append(rows, Row{"typed Call, 64 callers (calls/s)", rate(m.Ns[1]), rate(m.Ns[0]) + " raw coalesced", pct(r), "≥ 60%", r >= TargetParallel, false})
	r = m.Ratio[2] / m.Ratio[1]
	rows = append(rows, Row{"typed Call, 64 callers, vs net/rpc", rate(m.Ns[1]), rate(m.Ns[2]) + " net/rpc", xt(r, TargetParallelRPC), "≥ 2.50×", r >= TargetParallelRPC, false})
	rows = append(rows, Row{"net/rpc, 64 callers (calls/s)", rate(m.Ns[2]), rate(m.Ns[0]) + " raw coalesced", pct(1 / m.Ratio[2]), "", true, true})
	rows = append(rows, Row{"raw, 64 callers, no coalescing (msg/s)", rate(m.Ns[3]), rate(m.Ns[0]) + " raw coalesced", pct(1 / m.Ratio[3]), "", true, true})

	logf("allocations per typed call, vs net/rpc")
	a, b := allocs(calls(1), 2000)
	na, nb := allocs(rpcs(1), 2000)
	rows = append(rows, Row{"allocations per typed Call, both sides", fmt.Sprintf("%.1f allocs, %.0f B", a, b),
		fmt.Sprintf("%.1f allocs, %.0f B net/rpc", na, nb), x(a / na), "≤ 1.00×", a <= na, false})

	logf("JSON-RPC peer vs gob plugin")
	for _, c := range []int{1, 64} {
		gob := func(n int) (time.Duration, error) { return h.JSONCalls("a0", "Echo", n, c) }
		jrpc := func(n int) (time.Duration, error) { return h.JSONCalls("j0", "Echo", n, c) }
		m, err = Compare(cfg.Rounds, cfg.Time, gob, jrpc)
		if err != nil {
			return nil, nil, err
		}
		r = m.Ratio[1]
		rows = append(rows, Row{"JSON-RPC peer, " + who(c) + " (µs/call)", us(m.Ns[1]), us(m.Ns[0]) + " gob plugin", xt(r, TargetJSONRPC), "≤ 1.2×", r <= TargetJSONRPC, false})
	}

	logf("typed Call over NATS vs raw nats.go request/reply")
	nrows, err := natsRows(cfg)
	if err != nil {
		return nil, nil, err
	}
	rows = append(rows, nrows...)

	if cfg.Observer != nil {
		logf("typed Call observed by the monitor vs not")
		mrows, err := monitorRows(cfg, cfg.Observer())
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, mrows...)
	}

	logf("Broadcast to 1,000 plugins vs plain ping-pong")
	hb, err := NewHub(1000)
	if err != nil {
		return nil, nil, err
	}
	// One op of the baseline is 1,000 plain round trips: the ratio is per
	// plugin.
	plain1000 := func(n int) (time.Duration, error) { return plain.Run(n * 1000) }
	m, err = Compare(cfg.Rounds, cfg.Time, plain1000, hb.Broadcasts)
	hb.Close()
	if err != nil {
		return nil, nil, err
	}
	r = m.Ratio[1]
	rows = append(rows, Row{"Broadcast, 1,000 plugins (µs/plugin)", us(m.Ns[1] / 1000), us(m.Ns[0]/1000) + " plain ping-pong", xt(r, TargetBroadcast), "≤ 1.00×", r <= TargetBroadcast, false})

	logf("script call() vs the same typed Call from Go")
	sc, err := NewScripts(h)
	if err != nil {
		return nil, nil, err
	}
	// Go's Call is measured twice: the second, against the first, shows
	// how far apart two identical figures land on this machine.
	m, err = Compare(cfg.Rounds, cfg.Time, sc.Go, sc.JS, sc.Lua, sc.Go)
	sc.Close()
	if err != nil {
		return nil, nil, err
	}
	goCall := us(m.Ns[0]) + " Go Call"
	r = m.Ratio[1]
	rows = append(rows, Row{"JS call() (µs/call)", us(m.Ns[1]), goCall, xt(r, TargetJS), "≤ 1.20×", r <= TargetJS, false})
	r = m.Ratio[2]
	rows = append(rows, Row{"Lua call() (µs/call)", us(m.Ns[2]), goCall, xt(r, TargetLua), "≤ 1.10×", r <= TargetLua, false})
	rows = append(rows, Row{"Go Call against itself (µs/call)", us(m.Ns[3]), goCall, x(m.Ratio[3]), "", true, true})

	logf("idle plugins")
	idle, err := IdleCost(1000)
	if err != nil {
		return nil, nil, err
	}
	rows = append(rows, Row{"idle plugin, HeapInuse+StackInuse, both sides (KiB)", fmt.Sprintf("%.1f", idle.Inuse/1024), "", "", "≤ 16 KiB", idle.Inuse <= TargetIdleBytes, false})
	rows = append(rows, Row{"idle plugin, HeapAlloc+StackInuse, both sides (KiB)", fmt.Sprintf("%.1f", idle.Alloc/1024), "", "", "", true, true})
	rows = append(rows, Row{"idle plugin, goroutines both sides", fmt.Sprintf("%.2f", idle.Goroutines), "", "", "≤ 2", idle.Goroutines <= TargetIdleGoroutines, false})

	logf("scaling")
	// A few rounds each: these are absolute figures, read for their growth.
	scaleRounds := max(cfg.Rounds/4, 1)
	for _, c := range []int{1, 8, 64, 512} {
		m, err := Compare(scaleRounds, cfg.Time, calls(c))
		if err != nil {
			return nil, nil, err
		}
		scaling = append(scaling, Row{Figure: fmt.Sprintf("typed Call, %d callers", c), Value: rate(m.Ns[0]) + " calls/s", Info: true})
	}
	for _, n := range []int{10, 100, 1000, 4000} {
		hb, err := NewHub(n)
		if err != nil {
			return nil, nil, err
		}
		m, err := Compare(scaleRounds, cfg.Time, hb.Broadcasts)
		hb.Close()
		if err != nil {
			return nil, nil, err
		}
		scaling = append(scaling, Row{Figure: fmt.Sprintf("Broadcast, %d plugins", n),
			Value: fmt.Sprintf("%s ms (%s µs/plugin)", ms(m.Ns[0]), us(m.Ns[0]/float64(n))), Info: true})
	}
	return rows, scaling, nil
}

// who names a number of callers.
func who(callers int) string {
	if callers == 1 {
		return "1 caller"
	}
	return fmt.Sprintf("%d callers", callers)
}

// natsRows measures a typed Call through a socket attached to NATS against
// a raw nats.go request/reply on the same server, at 1 and 64 callers: to
// a method served inline (plugin.WithNATSInline), on the subscription's
// goroutine as the raw subscriber answers, and to one served the default
// way, each request handed to a worker so that calls run concurrently.
// The target is on the inline figure, the like of the baseline; the
// default one is reported beside it, for what the handoff costs.
func natsRows(cfg Config) ([]Row, error) {
	n, err := NewNATS()
	if err != nil {
		return nil, err
	}
	defer n.Close()
	var rows []Row
	for _, c := range []int{1, 64} {
		raw := func(k int) (time.Duration, error) { return n.Raw(k, c) }
		inline := func(k int) (time.Duration, error) { return n.InlineCalls(k, c) }
		call := func(k int) (time.Duration, error) { return n.Calls(k, c) }
		m, err := Compare(cfg.Rounds, cfg.Time, raw, inline, call)
		if err != nil {
			return nil, err
		}
		base := us(m.Ns[0]) + " raw request/reply"
		r := m.Ratio[1]
		rows = append(rows, Row{"typed Call over NATS, inline method, " + who(c) + " (µs/call)", us(m.Ns[1]), base,
			xt(r, TargetNATS), "≤ 1.3×", r <= TargetNATS, false})
		rows = append(rows, Row{"typed Call over NATS, concurrent method, " + who(c) + " (µs/call)", us(m.Ns[2]), base,
			x(m.Ratio[2]), "", true, true})
	}
	return rows, nil
}

// monitorRows measures a typed Call on a socket observed by o against one
// without, at 1 and 64 callers, with a second socket without as the A/A
// control.
func monitorRows(cfg Config, o socket.Observer) ([]Row, error) {
	mon, err := NewMonitored(o)
	if err != nil {
		return nil, err
	}
	defer mon.Close()
	var rows []Row
	for _, c := range []int{1, 64} {
		op := func(h *Hub) Op { return func(k int) (time.Duration, error) { return h.Calls(k, c) } }
		m, err := Compare(cfg.Rounds, cfg.Time, op(mon.Off), op(mon.On), op(mon.Control))
		if err != nil {
			return nil, err
		}
		base := us(m.Ns[0]) + " unobserved"
		r := m.Ratio[1]
		rows = append(rows, Row{"typed Call, monitor on, " + who(c) + " (µs/call)", us(m.Ns[1]), base,
			xt(r, TargetMonitor), "≤ 1.05×", r <= TargetMonitor, false})
		rows = append(rows, Row{"typed Call, unobserved A/A control, " + who(c) + " (µs/call)", us(m.Ns[2]), base,
			x(m.Ratio[2]), "", true, true})
	}
	return rows, nil
}

// allocs returns the allocations and bytes per operation of op over n runs,
// counted process-wide (both ends of the connection live in this process).
func allocs(op Op, n int) (count, bytes float64) {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	if _, err := op(n); err != nil {
		return -1, -1
	}
	runtime.ReadMemStats(&b)
	return float64(b.Mallocs-a.Mallocs) / float64(n), float64(b.TotalAlloc-a.TotalAlloc) / float64(n)
}

// Print writes the rows as an aligned table.
func Print(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\tbaseline\tratio\ttarget\tresult")
	for _, r := range rows {
		res := "PASS"
		switch {
		case r.Info:
			res = "info"
		case !r.Pass:
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Figure, r.Value, dash(r.Baseline), dash(r.Ratio), dash(r.Target), res)
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func us(ns float64) string   { return fmt.Sprintf("%.2f", ns/1e3) }
func ms(ns float64) string   { return fmt.Sprintf("%.2f", ns/1e6) }
func rate(ns float64) string { return fmt.Sprintf("%.0f", 1e9/ns) }
func x(r float64) string     { return fmt.Sprintf("%.2f×", r) }
func pct(r float64) string   { return fmt.Sprintf("%.0f%%", 100*r) }

// xt is x for a ratio compared with target t: with a third decimal when two
// would print it equal to the target, so that a row's result can be read
// from its figures.
func xt(r, t float64) string {
	if x(r) == x(t) && r != t {
		return fmt.Sprintf("%.3f×", r)
	}
	return x(r)
}
