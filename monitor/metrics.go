package monitor

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// namespace prefixes every metric of the monitor's own.
const namespace = "switchboard"

// durationBuckets are the call-duration histogram's bounds in seconds,
// from 100µs to 30s.
var durationBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// metrics are the monitor's Prometheus metrics. docs/monitoring.md lists
// them; the labels are bounded by Config.MaxSeries (plugin, method), the
// scripting error codes (outcome) and true/false (graceful).
type metrics struct {
	calls       *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	broadcasts  prometheus.Counter
	async       *prometheus.CounterVec
	restarts    *prometheus.CounterVec
	connects    prometheus.Counter
	disconnects *prometheus.CounterVec
}

// newMetrics makes m's metrics and registers them, with the Go runtime's
// and the process's collectors and those read from the socket's Stats.
func newMetrics(m *Monitor) *metrics {
	x := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "calls_total",
			Help: "Calls made to plugins, by plugin, method and outcome (ok or the scripting error code).",
		}, []string{"plugin", "method", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "call_duration_seconds",
			Help:    "How long calls to plugins took, from the lookup of the plugin to its answer.",
			Buckets: durationBuckets,
		}, []string{"plugin", "method"}),
		broadcasts: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "broadcasts_total",
			Help: "Broadcasts made (each plugin's part is also counted in switchboard_calls_total).",
		}),
		async: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "async_values_received_total",
			Help: "Values plugins sent on their own, by plugin.",
		}, []string{"plugin"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "plugin_restarts_total",
			Help: "Restarts of spawned plugin processes, by plugin.",
		}, []string{"plugin"}),
		connects: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "plugin_connects_total",
			Help: "Plugins that completed their handshake.",
		}),
		disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "plugin_disconnects_total",
			Help: "Registered plugins that went away; graceful is false for a crash or a cut connection.",
		}, []string{"graceful"}),
	}
	stat := func(name, help string, value func(s statsView) float64, gauge bool) prometheus.Collector {
		f := func() float64 { return value(m.stats()) }
		opts := prometheus.Opts{Namespace: namespace, Name: name, Help: help}
		if gauge {
			return prometheus.NewGaugeFunc(prometheus.GaugeOpts(opts), f)
		}
		return prometheus.NewCounterFunc(prometheus.CounterOpts(opts), f)
	}
	m.reg.MustRegister(x.calls, x.duration, x.broadcasts, x.async, x.restarts, x.connects, x.disconnects,
		stat("plugins_connected", "Plugins connected now.",
			func(s statsView) float64 { return float64(s.plugins) }, true),
		stat("async_values_dropped_total", "Async values the socket's Async backlog dropped.",
			func(s statsView) float64 { return float64(s.asyncDropped) }, false),
		stat("subscriber_events_dropped_total", "Socket events subscribers lost by being too slow.",
			func(s statsView) float64 { return float64(s.eventsDropped) }, false),
		stat("connections_refused_total", "Plugin connections refused before registration.",
			func(s statsView) float64 { return float64(s.refused) }, false),
		stat("script_events_dropped_total", "Socket events scripts lost by not keeping up.",
			func(s statsView) float64 { return float64(s.scriptDropped) }, false),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: "page_messages_dropped_total",
			Help: "Updates the live pages did not take in time (each such page is told to fetch the lists again)."},
			func() float64 {
				m.mu.Lock()
				defer m.mu.Unlock()
				return float64(m.stream.dropped)
			}),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return x
}

// statsView is what the counters read from the socket and the scripts.
type statsView struct {
	plugins                              int
	asyncDropped, eventsDropped, refused uint64
	scriptDropped                        uint64
}

// stats reads the socket's counters (zero before Attach) and the scripts'.
func (m *Monitor) stats() statsView {
	var v statsView
	if s := m.socket(); s != nil {
		st := s.Stats()
		v = statsView{plugins: st.Plugins, asyncDropped: st.AsyncDropped, eventsDropped: st.EventsDropped, refused: st.Refused}
	}
	if m.cfg.ScriptEventsDropped != nil {
		v.scriptDropped = m.cfg.ScriptEventsDropped()
	}
	return v
}
