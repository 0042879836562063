// Package spawn supervises plugin programs as child processes: it starts
// them with the socket's address and token in their environment, logs
// their output lines under their name, restarts those that fail when asked
// to (with a back-off), and stops them, with everything they started, when
// the Spawner closes.
//
// A Spawner starts children; each is a Process that can be waited for or
// killed, and that keeps its last lines of output: once it has exited for
// good, Process.Exit describes how (an *ExitError, for the error that tells
// a script why its plugin never came). A Builder turns a Go package directory into a program to start
// (Config.Resolve), and SplitCommand splits a command line into the words
// Start takes.
//
// On Unix every child leads its own process group, which Kill and Close
// signal as a whole. On Linux a child also dies with the host (the
// parent-death signal), and Config.Reaper puts a reaper between the host
// and each child so that every descendant ends with it, even one that left
// the group: the host binary re-executes itself as one and calls
// BecomeSubreaper and Reap. The package reads no flag, environment
// variable or signal of its own process; the caller passes them in.
package spawn
