// Package monitor shows what the plugins of a socket are doing: it is a
// socket.Observer that keeps Prometheus metrics (client_golang), the latest
// calls and events for a live web page and its JSON API (served over HTTP,
// the page embedded, updated with server-sent events), a per-method summary
// with percentiles, and a file of calls as JSON lines. The host's -http,
// -summary and -calls flags use it; docs/monitoring.md describes the
// metrics and the API.
//
// It sits above socket and scripting (whose error codes are its outcome
// labels) and below host. Everything it keeps is bounded: the series by
// Config.MaxSeries, the lists by Config.Recent, each page's stream by a
// buffer whose overflow is dropped and counted.
package monitor
