package cli

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true,
		"": false, "0.0.0.0": false, "::": false, "10.0.0.1": false, "example.com": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestListenRefusesExposedAddressUnguarded(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		_, err := listen(&options{listen: addr})
		if !errors.Is(err, errExposed) {
			t.Errorf("listen(%q) = %v, want errExposed", addr, err)
		}
	}
}

func TestListenExposedWithTokenOrInsecure(t *testing.T) {
	for _, o := range []*options{
		{listen: "0.0.0.0:0", token: "s3cret"},
		{listen: "0.0.0.0:0", insecure: true},
	} {
		l, err := listen(o)
		if err != nil {
			t.Fatalf("listen(%+v) = %v", o, err)
		}
		host, _, _ := net.SplitHostPort(l.addr)
		if host != "127.0.0.1" {
			t.Errorf("plugins are told to dial %s, want the loopback address", l.addr)
		}
		l.Close()
	}
}

func TestListenDefaultIsLoopbackTCP(t *testing.T) {
	l, err := listen(&options{listen: defaultListen})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.addr)
	if err != nil {
		t.Fatalf("dialing %s: %v", l.addr, err)
	}
	c.Close()
}

func TestListenBadAddress(t *testing.T) {
	for _, addr := range []string{"nonsense", "unix:"} {
		if _, err := listen(&options{listen: addr}); err == nil {
			t.Errorf("listen(%q) succeeded", addr)
		}
	}
}

func TestListenTLSNeedsReadableKeyPair(t *testing.T) {
	_, err := listen(&options{listen: defaultListen, tlsCert: "missing.pem", tlsKey: "missing.key"})
	if err == nil {
		t.Fatal("listen with a missing key pair succeeded")
	}
}

func TestUnixSocketIsPrivate(t *testing.T) {
	path := filepath.Join(shortTempDir(t), "sb.sock")
	l, err := listen(&options{listen: "unix:" + path})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.addr != "unix:"+path {
		t.Errorf("addr = %q", l.addr)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("socket mode %v, want 0600", perm)
	}
	// A second host on the same path is refused while the first listens.
	if _, err := listen(&options{listen: "unix:" + path}); err == nil {
		t.Error("second listener on a live socket succeeded")
	}
}

func TestUnixSocketStaleFileRemoved(t *testing.T) {
	path := filepath.Join(shortTempDir(t), "sb.sock")
	// Leave a socket file nobody listens on.
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ul.SetUnlinkOnClose(false)
	ul.Close()
	l, err := listen(&options{listen: "unix:" + path})
	if err != nil {
		t.Fatalf("listen over a stale socket: %v", err)
	}
	l.Close()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file left behind after Close: %v", err)
	}
}

// shortTempDir returns a temporary directory with a path short enough for a
// Unix socket (t.TempDir can exceed the 108-byte limit).
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
