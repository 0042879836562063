// Package natswire holds the conventions a switchboard plugin served over
// NATS and the hosts that call it share: subjects, headers, metadata keys
// and the token proof. docs/nats.md describes them for authors of plugins
// in other languages; this package is their one definition in Go.
package natswire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

// Metadata keys and values of a switchboard micro service.
const (
	// MetaProtocol, in the service's metadata, marks a switchboard plugin;
	// its value is ProtocolVersion. Hosts ignore services without it.
	MetaProtocol    = "switchboard"
	ProtocolVersion = "1"
	// MetaVersion, in the service's metadata, is the plugin's own version
	// when it is not a semantic version (micro requires one; such a
	// plugin announces "0.0.0" to micro).
	MetaVersion = "switchboard.version"
	// MetaFunction, in an endpoint's metadata, is the JSON of the method's
	// description (plugin.Function).
	MetaFunction = "switchboard.function"
	// MetaWhere, in the service's metadata, says where the instance runs
	// (the SDK puts "host:pid"); hosts show it and do nothing else with it.
	MetaWhere = "switchboard.where"
)

// Headers of the messages a host sends.
const (
	// HeaderTrace carries the caller's trace id on a request.
	HeaderTrace = "Switchboard-Trace"
	// HeaderControl names a control message: ControlHello, ControlStop or
	// ControlCancel.
	HeaderControl = "Switchboard-Control"
	// HeaderCancel carries the reply subject of the request a cancel
	// message is about.
	HeaderCancel = "Switchboard-Cancel"
)

// Control messages, on CtlSubject (one instance) or CtlAllSubject (every
// instance of a name).
const (
	// ControlHello is a request whose body is a nonce; the answer's body
	// is Proof(token, nonce).
	ControlHello = "hello"
	// ControlStop asks an instance to stop: take no new requests, answer
	// those in flight, publish on GoneSubject and leave.
	ControlStop = "stop"
	// ControlCancel asks an instance to cancel the request whose reply
	// subject HeaderCancel names; its answer, if it still comes, is
	// dropped.
	ControlCancel = "cancel"
)

// ErrorCode is the Nats-Service-Error-Code of every failed call; the
// Nats-Service-Error header holds the error's text.
const ErrorCode = "500"

const prefix = "switchboard."

// CallSubject is the subject of the endpoint serving method on one
// instance of a plugin.
func CallSubject(name, id, method string) string {
	return prefix + "call." + name + "." + id + "." + method
}

// CtlSubject is the subject of one instance's control messages.
func CtlSubject(name, id string) string { return prefix + "ctl." + name + "." + id }

// CtlAllSubject is the subject of the control messages for every instance
// of name.
func CtlAllSubject(name string) string { return prefix + "ctl." + name }

// An instance's own messages go on subjects under OutPrefix, which a host
// reads with one subscription (OutAll): so it sees them in the order the
// instance sent them, its last async values before its going.
const (
	OutPrefix = prefix + "out."
	OutAll    = OutPrefix + ">"
	// The last token of an instance's own messages: what they are.
	KindAsync = "async"
	KindGone  = "gone"
	KindReset = "reset"
)

// OutSubject is the subject of an instance's message of kind (KindAsync,
// KindGone or KindReset): switchboard.out.<name>.<id>.<kind>.
func OutSubject(name, id, kind string) string { return OutPrefix + name + "." + id + "." + kind }

// AsyncSubject is where an instance publishes its async values, in order.
func AsyncSubject(name, id string) string { return OutSubject(name, id, KindAsync) }

// GoneSubject is where an instance publishes, last, that it has stopped.
func GoneSubject(name, id string) string { return OutSubject(name, id, KindGone) }

// ResetSubject is where an instance publishes, after its NATS connection
// was cut and made again, that requests sent to it meanwhile may be lost.
func ResetSubject(name, id string) string { return OutSubject(name, id, KindReset) }

// Proof is the answer to a hello: the hex of HMAC-SHA256 of nonce keyed with
// the token. A host compares it with hmac.Equal.
func Proof(token string, nonce []byte) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write(nonce)
	return hex.EncodeToString(m.Sum(nil))
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// ValidName reports whether name can be a micro service's name and a
// subject token: letters, digits, '-' and '_'.
func ValidName(name string) bool { return nameRE.MatchString(name) }
