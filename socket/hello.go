package socket

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// Bounds of a plugin's description (its handshake). They are far above what
// a real plugin sends (a few dozen methods, types a few levels deep) and keep
// what one handshake costs, to decode, to keep and to copy, in the low tens
// of megabytes.
const (
	// MaxFunctions is how many methods a plugin may describe.
	MaxFunctions = 10_000
	// MaxEntities is how many entities (inputs, outputs and their
	// fields at any depth, counted together) a plugin's description may
	// hold.
	MaxEntities = 100_000
	// MaxEntityDepth is how deeply entities may nest: an input or
	// output is at depth 1, its fields at depth 2, and so on.
	MaxEntityDepth = 32
	// maxCaps is how many capabilities a handshake may announce.
	maxCaps = 256
)

// helloBounds are the decoder's bounds for a handshake: deep enough for the
// deepest entity allowed (each level is an Entity and its Fields slice, under
// the Hello, its Functions map and a Function), and with room for every item
// allowed (map entries, slice elements and pointers: a function, its input
// and output, each field, each capability).
func helloBounds() wire.Bounds {
	return wire.Bounds{
		MaxDepth: 2*MaxEntityDepth + 4,
		MaxItems: MaxFunctions + MaxEntities + maxCaps,
	}
}

// checkHello checks what a handshake says before the plugin is registered:
// its names and the size of its description. The error is the reason the
// plugin is told.
func checkHello(h *wire.Hello[plugin.Function]) error {
	if h.Name == "" {
		return fmt.Errorf("handshake without a plugin name")
	}
	if err := checkName("plugin name", h.Name); err != nil {
		return err
	}
	if n := len(h.Functions); n > MaxFunctions {
		return fmt.Errorf("description of %d methods (the socket's limit is %d)", n, MaxFunctions)
	}
	if n := len(h.Caps); n > maxCaps {
		return fmt.Errorf("handshake with %d capabilities (the socket's limit is %d)", n, maxCaps)
	}
	entities := 0
	for name, f := range h.Functions {
		if err := checkName("method name", name); err != nil {
			return err
		}
		for _, e := range []*plugin.Entity{f.Input, f.Output} {
			if e == nil {
				continue
			}
			if err := countEntity(e, 1, &entities); err != nil {
				return fmt.Errorf("method %q: %w", name, err)
			}
		}
	}
	return nil
}

// countEntity adds e and its fields to *n, checking depth and count. The
// decoder has bounded the depth already, so this recursion is shallow.
func countEntity(e *plugin.Entity, depth int, n *int) error {
	if depth > MaxEntityDepth {
		return fmt.Errorf("entities nested deeper than %d", MaxEntityDepth)
	}
	if *n++; *n > MaxEntities {
		return fmt.Errorf("description of more than %d entities", MaxEntities)
	}
	for i := range e.Fields {
		if err := countEntity(&e.Fields[i], depth+1, n); err != nil {
			return err
		}
	}
	return nil
}

// checkName refuses a name that is not valid UTF-8 or holds a control
// character (C0, DEL, C1) or a bidirectional-text control: such a name
// could rewrite the operator's terminal where it is printed.
func checkName(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return fmt.Errorf("%s %q holds the control character %U", what, s, r)
		}
	}
	return nil
}
