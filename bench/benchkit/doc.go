// Package benchkit is the measuring code of switchboard's performance suite,
// shared by the go test benchmarks (socket, scripting) and by
// `go run ./bench`, which prints the whole table.
//
// Every figure is measured beside a baseline in the same process and run,
// and reported as a ratio, which survives a noisy machine where absolute
// times do not:
//
//   - Raw is the baseline: a length-prefixed 64-byte ping-pong over loopback
//     TCP, with any number of callers multiplexed on one connection, writes
//     coalesced or not.
//   - Hub is a socket with Echo plugins connected to it over loopback TCP in
//     the same process; it times Call with any number of callers, Broadcast,
//     and (IdleCost) the memory and goroutines of idle plugins.
//   - Scripts times call() from JavaScript and Lua against Call from Go.
//   - Compare runs operations in alternation for the same n, over many
//     short rounds, and takes the medians of their times and of their
//     ratios round by round; Suite runs everything and returns the table
//     rows.
//
// Nothing here is imported by the library itself.
package benchkit
