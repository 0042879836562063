// Package wire is the codec both ends of a switchboard connection speak.
//
// The format is byte-compatible with the brpc reference library:
//
//   - Each direction of a connection is a single encoding/gob stream that lives
//     as long as the connection: one encoder on the writing side, one decoder
//     on the reading side. gob matches struct fields by name, so the Go
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
// Nothing in the read path uses encoding/gob, which is not hardened against
// hostile input; the Decoder is gob's format read by this package's own
// bounded code:
//
//   - type definitions (types.go) are parsed once as they arrive and kept
//     parsed, at most [DefaultMaxTypes] types and [DefaultMaxTypeBytes]
//     bytes per stream; nothing replays them;
//   - envelopes, nearly all the traffic, are read by hand (envelope.go) as
//     exactly the bytes gob writes, and written so too by [Encoder] (the
//     tests hold both to gob and to the recorded brpc streams);
//   - every other value, the handshake above all, goes through a general
//     decoder (value.go) that matches struct fields by name as gob does,
//     skips the fields the Go value lacks, flattens pointers, and refuses
//     interface values and GobEncoder types with [ErrUnsupported]. Every
//     count is checked against the bytes left in the message and against
//     [Bounds] (items and nesting depth) before anything is allocated;
//     past them the error wraps [ErrBounds];
//   - a [Budget] shared by several Decoders (the socket's connections that
//     have not authenticated) is charged with the messages they read and
//     the type definitions they keep, until [Decoder.Release].
//
// The tests keep gob as the oracle: random values of every kind, encoded by
// gob, must decode as gob decodes them. [Encoder] still uses gob to write
// the handshake and the first envelope (it then reads back the type id), and
// coalesces concurrent writes; neither end keeps a large buffer while a
// connection is idle.
package wire
