package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/switchboard-rpc/switchboard/internal/natswire"
	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/internal/testcert"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

type upperPlugin struct{}

func (upperPlugin) Upper(_ context.Context, s string) (string, error) { return strings.ToUpper(s), nil }

// -nats joins an existing NATS deployment that wants a user and password
// (in the URL) and TLS (-nats-ca), and reaches the plugin served there; a
// wrong password is a clear error.
func TestRunJoinsNATSWithAuthAndTLS(t *testing.T) {
	certs := testcert.Write(t, "127.0.0.1")
	ns := serveNATSForTest(t, &server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
		Username: "u", Password: "p", TLS: true, TLSConfig: certs.ServerConfig(t),
	})
	addr := ns.Addr().String()

	pc, err := nats.Connect("nats://"+addr, nats.UserInfo("u", "p"), nats.RootCAs(certs.CA))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	p, err := plugin.New(plugin.WithLogger(newLogger(&strings.Builder{}, 0)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.StartNATS(upperPlugin{}, &plugin.Info{Name: "upper"}, pc) }()
	defer func() {
		p.Stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	script := filepath.Join(t.TempDir(), "call.js")
	if err := os.WriteFile(script, []byte(`console.log(call("upper", "Upper", "hi"))`), 0o600); err != nil {
		t.Fatal(err)
	}
	st, out, errb := fakeState("run", "-nats", "nats://u:p@"+addr, "-nats-ca", certs.CA, "-wait", "upper", "-wait-timeout", "10s", script)
	if status := st.main(); status != 0 || out.String() != "HI\n" {
		t.Fatalf("status %d, stdout %q, stderr %q", status, out, errb)
	}
	st, _, errb = fakeState("run", "-nats", "nats://u:wrong@"+addr, "-nats-ca", certs.CA, script)
	if status := st.main(); status != 1 || !strings.Contains(errb.String(), "connecting to NATS") ||
		!strings.Contains(strings.ToLower(errb.String()), "authorization") || strings.Contains(errb.String(), "wrong") {
		t.Fatalf("a wrong password: status %d, stderr %q", status, errb)
	}
	st, _, errb = fakeState("run", "-nats", "nats://u:p@"+addr, script) // no CA: the certificate is not trusted
	if status := st.main(); status != 1 || !strings.Contains(errb.String(), "certificate") {
		t.Fatalf("without -nats-ca: status %d, stderr %q", status, errb)
	}
}

// The REPL's first line names the NATS servers without their secrets.
func TestNATSBannerHidesSecrets(t *testing.T) {
	var none *natsSession
	if got := none.banner(); got != "" {
		t.Errorf("without NATS: %q", got)
	}
	ns := &natsSession{url: "nats://u:p@a:4222,nats://tok@b:4222,nats://c:4222"}
	if got, want := ns.banner(), " or serve on NATS at nats://a:4222,nats://b:4222,nats://c:4222"; got != want {
		t.Errorf("banner %q, want %q", got, want)
	}
}

// -nats-creds authenticates with a credentials file (a user JWT and its
// nkey seed) to a server in operator mode; spawned plugins get the file
// too. The JWTs are made here with the jwt and nkeys modules nats-server
// itself depends on.
func TestRunJoinsNATSWithCreds(t *testing.T) {
	op, _ := nkeys.CreateOperator()
	opPub, _ := op.PublicKey()
	acct, _ := nkeys.CreateAccount()
	acctPub, _ := acct.PublicKey()
	acctJWT, err := jwt.NewAccountClaims(acctPub).Encode(op)
	if err != nil {
		t.Fatal(err)
	}
	user, _ := nkeys.CreateUser()
	userPub, _ := user.PublicKey()
	userJWT, err := jwt.NewUserClaims(userPub).Encode(acct)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := user.Seed()
	creds, err := jwt.FormatUserConfig(userJWT, seed)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	credsFile := filepath.Join(dir, "user.creds")
	if err := os.WriteFile(credsFile, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	resolver := &server.MemAccResolver{}
	if err := resolver.Store(acctPub, acctJWT); err != nil {
		t.Fatal(err)
	}
	ns := serveNATSForTest(t, &server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
		TrustedKeys: []string{opPub}, AccountResolver: resolver, NoSystemAccount: true,
	})
	url := "nats://" + ns.Addr().String()

	if _, err := nats.Connect(url); err == nil {
		t.Fatal("the server let in a client without credentials")
	}
	script := filepath.Join(dir, "call.js")
	src := `console.log(call("echo", "Upper", {text: "creds"}).text)`
	if err := os.WriteFile(script, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	st, out, errb := fakeState("run", "-nats", url, "-nats-creds", credsFile, "-nats-spawn",
		"-spawn", filepath.Join(pluginDir, "echo"), "-wait", "echo", "-wait-timeout", "20s", script)
	if status := st.main(); status != 0 || out.String() != "CREDS\n" {
		t.Fatalf("status %d, stdout %q, stderr %q", status, out, errb)
	}
}

// A NATS server in the host on every interface is reached on loopback by
// the host and its spawned plugins; without a token or -insecure it is
// refused.
func TestNATSListenEverywhereDialsLoopback(t *testing.T) {
	log := newLogger(&strings.Builder{}, 0)
	sock, err := socket.New(socket.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	ns, err := openNATS(&natsOptions{listen: "0.0.0.0:0"}, sock, log, io.Discard, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ns.url, "nats://127.0.0.1:") || !ns.nc.IsConnected() {
		t.Errorf("spawned plugins would dial %q; the host is connected: %v", ns.url, ns.nc.IsConnected())
	}
	if err := sock.Shutdown(""); err != nil {
		t.Error(err)
	}
	ns.close()
	if _, err := openNATS(&natsOptions{listen: "0.0.0.0:0"}, sock, log, io.Discard, false); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("a NATS server on every interface without a token or -insecure: %v", err)
	}
}

// serveNATSForTest starts a NATS server with o in this process and shuts it
// down when the test ends.
func serveNATSForTest(t *testing.T, o *server.Options) *server.Server {
	t.Helper()
	ns, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS server did not start")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	return ns
}

// TestNATSAsyncErrorsGoToStderr: an asynchronous error of the host's NATS
// connection (here the server refuses the subscription to the plugins'
// output) is written to the host's stderr, in nats.go's words, where the
// REPL can put it above its prompt, not to the process's os.Stderr behind
// the host's back.
func TestNATSAsyncErrorsGoToStderr(t *testing.T) {
	ns := serveNATSForTest(t, &server.Options{
		Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true,
		Users: []*server.User{{Username: "u", Password: "p", Permissions: &server.Permissions{
			Subscribe: &server.SubjectPermission{Deny: []string{natswire.OutAll}},
		}}},
	})
	st, _, _ := fakeState("repl", "-nats", "nats://u:p@"+ns.Addr().String())
	var errb syncbuf.Buffer
	in, typed := io.Pipe()
	st.stdin, st.stderr = in, &errb
	done := make(chan int, 1)
	go func() { done <- st.main() }()
	want := `nats: permissions violation: Permissions Violation for Subscription to "` + natswire.OutAll + `" on connection [`
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(errb.String(), want); {
		if time.Now().After(deadline) {
			typed.Close()
			<-done
			t.Fatalf("stderr lacks %q:\n%s", want, errb.String())
		}
		time.Sleep(5 * time.Millisecond) // polling the output, not synchronising
	}
	typed.Close()
	if status := <-done; status != 0 {
		t.Errorf("repl ended with status %d; stderr:\n%s", status, errb.String())
	}
	// The line nats.go's default handler would write, byte for byte.
	if line := regexp.MustCompile(regexp.QuoteMeta(want) + `[0-9]+\]\n`); !line.MatchString(errb.String()) {
		t.Errorf("stderr lacks a line of nats.go's form %s:\n%s", line, errb.String())
	}
}
