package monitor

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// SummaryRow sums up the calls of one plugin's method.
type SummaryRow struct {
	Plugin string `json:"plugin"`
	Method string `json:"method"`
	Calls  uint64 `json:"calls"`
	// Errors counts the failed calls by outcome code.
	Errors map[string]uint64 `json:"errors"`
	// P50, P95 and Max are durations in seconds; the percentiles are
	// within 4% above the true value (see series).
	P50 float64 `json:"p50_seconds"`
	P95 float64 `json:"p95_seconds"`
	Max float64 `json:"max_seconds"`
}

// Summary returns a row per plugin and method called, sorted by plugin
// then method (the calls past Config.MaxSeries pairs under Other).
// It does not block beyond the locks of the series.
func (m *Monitor) Summary() []SummaryRow {
	m.seriesMu.RLock()
	all := make([]*series, 0, len(m.series))
	for _, s := range m.series {
		all = append(all, s)
	}
	m.seriesMu.RUnlock()
	rows := make([]SummaryRow, 0, len(all))
	for _, s := range all {
		s.mu.Lock()
		errs := make(map[string]uint64, len(s.errors))
		for k, v := range s.errors {
			errs[k] = v
		}
		s.mu.Unlock()
		rows = append(rows, SummaryRow{Plugin: s.plugin, Method: s.method, Calls: s.calls.Load(), Errors: errs,
			P50: s.quantile(0.50).Seconds(), P95: s.quantile(0.95).Seconds(),
			Max: time.Duration(s.max.Load()).Seconds()})
	}
	slices.SortFunc(rows, func(a, b SummaryRow) int {
		if c := strings.Compare(a.Plugin, b.Plugin); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	return rows
}

// WriteSummary writes the summary as a table to w, as -summary prints it
// at the end of a run:
//
//	PLUGIN  METHOD  CALLS  ERRORS     P50     P95     MAX
//	chaos   Fail        2  remote=2   120µs   180µs   180µs
//
// It blocks only on w.
func (m *Monitor) WriteSummary(w io.Writer) error {
	rows := m.Summary()
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "calls: none")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLUGIN\tMETHOD\tCALLS\tERRORS\tP50\tP95\tMAX")
	var total, failed uint64
	for _, r := range rows {
		total += r.Calls
		codes := make([]string, 0, len(r.Errors))
		for code, n := range r.Errors {
			codes = append(codes, fmt.Sprintf("%s=%d", code, n))
			failed += n
		}
		slices.Sort(codes)
		errs := strings.Join(codes, ",")
		if errs == "" {
			errs = "0"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.Plugin, r.Method, r.Calls, errs,
			round(r.P50), round(r.P95), round(r.Max))
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\n", total, failed)
	return tw.Flush()
}

// round renders seconds as a duration with three significant digits or so.
func round(sec float64) string {
	d := time.Duration(sec * float64(time.Second))
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
