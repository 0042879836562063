//go:build !linux

package cli

// reapCommand is the hidden command of the Linux reaper; elsewhere the
// host runs no reaper and the command is unknown.
const reapCommand = ""

// reaper returns no reaper: outside Linux the host has no way to adopt
// orphaned descendants, so plugins run directly (see the README).
func reaper() []string { return nil }

func runReaper(*state, []string) int { return exitUsage }
