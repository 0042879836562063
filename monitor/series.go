package monitor

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// seriesKey is a (plugin, method) pair as the calls name it.
type seriesKey struct{ plugin, method string }

// series is what the monitor keeps of the calls of one (plugin, method)
// pair: its counts for the summary, its duration distribution in
// logarithmic buckets (for p50 and p95, within bucketRatio of the truth,
// in a bounded space) and its Prometheus children, looked up once. A
// successful call updates it with atomic operations only; a failed one
// takes mu for the counts by code.
type series struct {
	plugin, method string // the labels: the names, or Other
	calls          atomic.Uint64
	max            atomic.Int64 // nanoseconds
	buckets        [bucketCount]atomic.Uint32
	index          *bucketIndex // finds the bucket of a duration; the Monitor's
	hist           prometheus.Observer
	ok             prometheus.Counter // calls_total of outcome ok

	mu       sync.Mutex
	m        *metrics
	errors   map[string]uint64             // by outcome code
	counters map[string]prometheus.Counter // calls_total by failed outcome
}

// Buckets of the summary's percentiles: bucket i holds the durations in
// [bucketBase·bucketRatio^i, bucketBase·bucketRatio^(i+1)), the first one
// also all that are shorter, the last all that are longer (about an hour
// and more). A percentile is reported as its bucket's upper bound, at most
// the maximum seen: at most 4% above the true value.
const (
	bucketBase  = float64(time.Microsecond)
	bucketRatio = 1.04
	bucketCount = 562
)

// bucketTop returns the upper bound of bucket i.
func bucketTop(i int) time.Duration {
	return time.Duration(bucketBase * math.Pow(bucketRatio, float64(i+1)))
}

// maxLabel bounds, in bytes, a plugin or method name kept apart in a
// series: a longer one (a script can call any name) is counted under
// Other, so that the bound of MaxSeries pairs is one on memory too.
const maxLabel = maxShort

// seriesOf returns the series of (plugin, method), made at its first
// call; past cfg.MaxSeries pairs, or for a name longer than maxLabel, the
// shared series of (Other, Other).
func (m *Monitor) seriesOf(plugin, method string) *series {
	if len(plugin) > maxLabel || len(method) > maxLabel {
		plugin, method = Other, Other
	}
	k := seriesKey{plugin, method}
	if fast := m.fast.Load(); fast != nil {
		if s, ok := (*fast)[k]; ok {
			return s
		}
	}
	m.seriesMu.Lock()
	defer m.seriesMu.Unlock()
	if s, ok := m.series[k]; ok {
		return s
	}
	if len(m.series) >= m.cfg.MaxSeries {
		// Not kept in fast: that would grow without bound.
		if s, ok := m.series[seriesKey{Other, Other}]; ok {
			return s
		}
		k = seriesKey{Other, Other}
	}
	s := &series{plugin: k.plugin, method: k.method, m: m.metrics, errors: map[string]uint64{}, index: m.buckets,
		hist:     m.metrics.duration.WithLabelValues(k.plugin, k.method),
		ok:       m.metrics.calls.WithLabelValues(k.plugin, k.method, OutcomeOK),
		counters: map[string]prometheus.Counter{}}
	m.series[k] = s
	// At most MaxSeries copies, each of at most MaxSeries pairs: made once
	// per pair, over the monitor's life.
	fast := make(map[seriesKey]*series, len(m.series))
	for k, s := range m.series {
		fast[k] = s
	}
	m.fast.Store(&fast)
	return s
}

// nameOf returns the label for the plugin name: the name itself, for the
// first cfg.MaxSeries names seen, else Other. Only those first names are
// kept: a name past them is not remembered, so that plugins connecting
// under ever new names cannot grow the map.
func (m *Monitor) nameOf(name string) string {
	m.seriesMu.RLock()
	label, ok := m.names[name]
	m.seriesMu.RUnlock()
	if ok {
		return label
	}
	m.seriesMu.Lock()
	defer m.seriesMu.Unlock()
	if label, ok := m.names[name]; ok {
		return label
	}
	if len(m.names) >= m.cfg.MaxSeries || len(name) > maxLabel {
		return Other
	}
	m.names[name] = name
	return name
}

// add counts one call, for the summary and in the metrics.
func (s *series) add(outcome string, d time.Duration) {
	s.calls.Add(1)
	for {
		old := s.max.Load()
		if int64(d) <= old || s.max.CompareAndSwap(old, int64(d)) {
			break
		}
	}
	if b := &s.buckets[s.index.of(d)]; b.Load() < math.MaxUint32 {
		b.Add(1)
	}
	s.hist.Observe(d.Seconds())
	if outcome == OutcomeOK {
		s.ok.Inc()
		return
	}
	s.mu.Lock()
	s.errors[outcome]++
	c, ok := s.counters[outcome]
	if !ok {
		c = s.m.calls.WithLabelValues(s.plugin, s.method, outcome)
		s.counters[outcome] = c
	}
	s.mu.Unlock()
	c.Inc()
}

// quantile returns the duration under which a fraction q of the calls
// took (see the buckets' comment for its precision), 0 with no call.
func (s *series) quantile(q float64) time.Duration {
	var counts [bucketCount]uint64
	var total uint64
	for i := range s.buckets {
		counts[i] = uint64(s.buckets[i].Load())
		total += counts[i]
	}
	maxd := time.Duration(s.max.Load())
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, n := range counts {
		seen += n
		if seen >= rank {
			return min(bucketTop(i), maxd)
		}
	}
	return maxd
}
