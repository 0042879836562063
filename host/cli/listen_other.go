//go:build !unix

package cli

import "net"

// listenPrivate creates the Unix socket; the caller narrows its mode.
func listenPrivate(path string) (net.Listener, error) {
	return net.Listen("unix", path)
}
