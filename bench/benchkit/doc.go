// Package benchkit is the measuring code of switchboard's performance suite,
// shared by the go test benchmarks (socket, scripting) and by
// `go run ./bench`, which prints the whole table.
//
// Every figure is measured beside a baseline in the same process and run,
// and reported as a ratio, which survives a noisy machine where absolute
// times do not:
//
//   - Plain is the plainest baseline: a 72-byte loopback TCP ping-pong, the
//     caller writing and reading on its own goroutine.
//   - Raw is the multiplexed baseline: a length-prefixed 64-byte ping-pong
//     with any number of callers on one connection, writes coalesced or not.
//   - NetRPC is Go's net/rpc with the same typed Echo, as a peer.
//   - Hub is a socket with Echo plugins (a typed Echo(ctx, Text) (Text,
//     error), and Any) connected to it over loopback TCP in the same
//     process, and optionally a JSON-RPC peer written with encoding/json; it
//     times Call with any number of callers, Broadcast, and (IdleCost) the
//     memory and goroutines of idle plugins.
//   - NATS is an embedded nats-server with a socket attached to it and an
//     Echo plugin served over it, beside a raw nats.go request/reply echo
//     on the same server.
//   - Monitored is a socket observed (by the monitor, passed in) beside
//     two without, the second an A/A control.
//   - Scripts times call() from JavaScript and Lua against the same typed
//     Call from Go.
//   - Compare runs operations in alternation for the same n, over many
//     short rounds, and takes the medians of their times and of their
//     ratios round by round; Suite runs everything and returns the table
//     rows.
//
// Nothing here is imported by the library itself.
package benchkit
