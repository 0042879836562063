//go:build unix

package cli

import (
	"net"
	"syscall"
)

// listenPrivate creates the Unix socket with no permission for group and
// others from the start (the umask is the process's; the host sets it only
// here, before any other file is made).
func listenPrivate(path string) (net.Listener, error) {
	old := syscall.Umask(0o177)
	defer syscall.Umask(old)
	return net.Listen("unix", path)
}
