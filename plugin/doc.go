// Package plugin is the SDK for writing switchboard plugins.
//
// A plugin is a Go value whose exported methods have the form
//
//	func (t *T) Name(ctx context.Context, in T1) (T2, error)
//
// where T1 and T2 are exported or builtin types that JSON can carry. Start
// logs a warning for every other exported method, saying why it is skipped
// ("Loud: argument type main.text is not exported"), and refuses a receiver
// with none (ErrNoMethods, listing the skipped ones); docs/plugins.md has
// the rules.
//
// Start serves those methods over a connection to a socket; Serve is the
// whole main of a plugin program: it dials the address in SWITCHBOARD_ADDR
// ("host:port", "unix:/path", or "tls://host:port" verified against the
// authorities in SWITCHBOARD_CA), sends SWITCHBOARD_TOKEN if set, serves
// until the socket stops the plugin or the process gets SIGINT or SIGTERM,
// and stops cleanly (requests in flight are answered first).
//
//	type Shout struct{}
//
//	func (*Shout) Loud(ctx context.Context, s string) (string, error) {
//		return strings.ToUpper(s), nil
//	}
//
//	func main() {
//		if err := plugin.Serve(&Shout{}, &plugin.Info{Name: "shout", Version: "1.0.0"}); err != nil {
//			log.Fatal(err)
//		}
//	}
//
// Arguments and results travel as JSON, so the usual encoding/json rules and
// tags apply. A method's context ends when the caller gives up (for sockets
// that support cancellation, as switchboard's does), when the connection is
// lost, or when the plugin is stopped; plugin.Trace returns the caller's
// trace id from it. A panic in a method is answered with an error starting
// "panic: " and the plugin goes on serving. A message from the socket may
// be at most 16 MiB (DefaultMaxMessage, the socket's own limit too) unless
// WithMaxMessage raises it; a larger one ends the connection.
//
// Values a plugin sends on its own (progress, notifications) go through
// Notify, from inside a method (ordered before the method's answer), or
// through the channel a plugin receives in an optional UseAsyncHook(chan any)
// method (the brpc way).
//
// # Concurrency
//
// Start owns every goroutine it starts and returns only when they have
// ended: the read loop runs on Start's own goroutine; requests go to
// workers, started when no idle one is waiting and ended after a second
// without work or when the connection closes, so methods run concurrently
// and must be safe for that; the async hook, when the receiver has one, is
// read by one goroutine; a graceful stop (a stop request or Stop) waits on
// one more for the requests in flight. Notify and Stop are safe from any
// goroutine; Stop must not be called from inside a method (it waits for
// the methods to return). Writes to the connection are coalesced by one
// encoder, so concurrent answers and async values never interleave.
// StartNATS serves concurrently too, except the methods WithNATSInline
// names, whose requests it serves one at a time as they arrive.
//
// The wire protocol is brpc's; a plugin built with this SDK also connects to
// a brpc socket. Package plugintest connects a plugin and a socket in one
// process for tests.
package plugin
