package wire

// Protocol method names. A plugin method may not use any of them.
const (
	// MethodAsync marks a value a plugin sends unprompted.
	MethodAsync = "Async"
	// MethodShutdown asks a plugin to stop; with an Error it rejects the plugin.
	MethodShutdown = "Shutdown"
	// MethodCancel abandons the request whose Seq it carries.
	MethodCancel = "Cancel"
)

// CapCancel is the capability a plugin announces when it understands
// MethodCancel.
const CapCancel = "cancel"

// Error texts both ends recognise.
const (
	TextMethodNotFound = "method not found"
	TextShutdown       = "connection is shut down"
	PrefixPanic        = "panic: "
)

// Envelope is every message after the handshake, in both directions.
// The field names and types are the protocol; do not rename them.
type Envelope struct {
	Seq     uint64
	Trace   string
	Method  string
	Error   string
	Payload []byte
}

// Hello is the handshake a plugin sends first. F is the type describing one
// method (plugin.Function); it is a parameter so that this package does not
// depend on the SDK that owns that type. Token and Caps are switchboard
// extensions that a brpc socket ignores and a brpc plugin never sends.
type Hello[F any] struct {
	Name      string
	Version   string
	Functions map[string]F
	Token     string
	Caps      []string
}

// Reserved reports whether name is a protocol method name.
func Reserved(name string) bool {
	return name == MethodAsync || name == MethodShutdown || name == MethodCancel
}
