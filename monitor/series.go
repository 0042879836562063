package monitor

import (
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// seriesKey is a (plugin, method) pair as the calls name it.
type seriesKey struct{ plugin, method string }

// series is what the monitor keeps of the calls of one (plugin, method)
// pair: its counts for the summary, its duration distribution in
// logarithmic buckets (for p50 and p95, within bucketRatio of the truth,
// in a bounded space) and its Prometheus children, looked up once. Its
// fields are guarded by Monitor.mu.
type series struct {
	plugin, method string // the labels: the names, or Other
	calls          uint64
	errors         map[string]uint64 // by outcome code
	max            time.Duration
	buckets        []uint32 // made at the first call; see bucketOf
	m              *metrics
	hist           prometheus.Observer
	counters       map[string]prometheus.Counter // by outcome
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

var logRatio = math.Log(bucketRatio)

// bucketOf returns the bucket of d.
func bucketOf(d time.Duration) int {
	if float64(d) < bucketBase*bucketRatio {
		return 0
	}
	i := int(math.Log(float64(d)/bucketBase) / logRatio)
	return min(i, bucketCount-1)
}

// bucketTop returns the upper bound of bucket i.
func bucketTop(i int) time.Duration {
	return time.Duration(bucketBase * math.Pow(bucketRatio, float64(i+1)))
}

// seriesLocked returns the series of (plugin, method), made at its first
// call; past cfg.MaxSeries pairs, the shared series of (Other, Other).
// m.mu must be held.
func (m *Monitor) seriesLocked(plugin, method string) *series {
	k := seriesKey{plugin, method}
	if s, ok := m.series[k]; ok {
		return s
	}
	if len(m.series) >= m.cfg.MaxSeries {
		k = seriesKey{Other, Other}
		if s, ok := m.series[k]; ok {
			return s
		}
	}
	s := &series{plugin: k.plugin, method: k.method, errors: map[string]uint64{}, m: m.metrics,
		hist: m.metrics.duration.WithLabelValues(k.plugin, k.method), counters: map[string]prometheus.Counter{}}
	m.series[k] = s
	return s
}

// nameLocked returns the label for the plugin name: the name itself, for
// the first cfg.MaxSeries names seen, else Other. m.mu must be held.
func (m *Monitor) nameLocked(name string) string {
	if label, ok := m.names[name]; ok {
		return label
	}
	label := name
	if len(m.names) >= m.cfg.MaxSeries {
		label = Other
	}
	m.names[name] = label
	return label
}

// add counts one call for the summary. m.mu must be held.
func (s *series) add(outcome string, d time.Duration) {
	s.calls++
	if outcome != OutcomeOK {
		s.errors[outcome]++
	}
	s.max = max(s.max, d)
	if s.buckets == nil {
		s.buckets = make([]uint32, bucketCount)
	}
	if b := &s.buckets[bucketOf(d)]; *b < math.MaxUint32 {
		*b++
	}
	if _, ok := s.counters[outcome]; !ok {
		s.counters[outcome] = s.m.calls.WithLabelValues(s.plugin, s.method, outcome)
	}
}

// observe counts one call, which add has counted, in the metrics. m.mu
// must be held (for the counters map).
func (s *series) observe(outcome string, d time.Duration) {
	s.counters[outcome].Inc()
	s.hist.Observe(d.Seconds())
}

// quantile returns the duration under which a fraction q of the calls
// took (see the buckets' comment for its precision), 0 with no call.
func (s *series) quantile(q float64) time.Duration {
	var total uint64
	for _, n := range s.buckets {
		total += uint64(n)
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i, n := range s.buckets {
		seen += uint64(n)
		if seen >= rank {
			return min(bucketTop(i), s.max)
		}
	}
	return s.max
}
