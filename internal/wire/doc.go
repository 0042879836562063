// Package wire is the codec both ends of a switchboard connection speak.
//
// The format is byte-compatible with the brpc reference library:
//
//   - Each direction of a connection is a single encoding/gob stream that lives
//     as long as the connection: one gob encoder on the writing side, one gob
//     decoder on the reading side. gob matches struct fields by name, so the Go
//     type names on either side do not matter, fields the receiver lacks are
//     skipped, and fields the sender omits arrive as zero values.
//   - The first value a plugin sends is its handshake ([Hello]): name,
//     version, and a description of every method it serves. switchboard adds
//     the optional fields Token and Caps, which a brpc socket ignores.
//   - Every later value, in both directions, is an [Envelope]. A request
//     carries a Seq unique on its connection, the caller's Trace, the Method
//     and the JSON of the argument in Payload (empty for none). The response
//     echoes Seq, Trace and Method and carries either the JSON of the result in
//     Payload or a message in Error. Responses may come in any order.
//   - An envelope whose Method is [MethodAsync] is a value the plugin sends on
//     its own; its Seq means nothing. [MethodShutdown] from the socket asks the
//     plugin to stop (finish what is in flight, answer, close); with a non-empty
//     Error it rejects the plugin instead. [MethodCancel], sent only to plugins
//     that announced the "cancel" capability, abandons the request with that Seq.
//
// gob frames every message with its length (an unsigned integer in gob's own
// encoding). [Decoder] reads those lengths itself, so a peer cannot make the
// reader allocate more than the configured limit, nor more than it has sent.
//
// Envelopes, nearly all the traffic, do not go through gob's reflection: both
// ends write and read them by hand, as exactly the bytes gob would write (see
// envelope.go; the tests hold the two to each other and to the recorded brpc
// streams). gob handles the handshake, the type definitions and anything
// unexpected. [Encoder] coalesces concurrent writes; neither end keeps a large
// buffer while a connection is idle.
package wire
