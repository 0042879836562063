package wire

import "sync"

// maxCachedTypes and maxCachedTypeBytes bound a TypeCache: past them,
// definitions are parsed for their Decoder alone, as without a cache.
const (
	maxCachedTypes     = 256
	maxCachedTypeBytes = 64 << 10
)

// TypeCache shares the type definitions parsed by many Decoders: the
// plugins of one SDK all send the same definitions, and each Decoder would
// otherwise keep its own copy of them for as long as its connection lives.
// It holds at most 256 definitions and 64 KiB of their bodies. A Decoder
// still charges every definition it reads against its own bounds and
// budget, as if it kept it alone. It is safe for concurrent use.
type TypeCache struct {
	mu    sync.Mutex
	defs  map[string]*typeDef // by body; a typeDef is never written once parsed
	bytes int
}

// NewTypeCache returns an empty TypeCache.
// It does not block.
func NewTypeCache() *TypeCache { return &TypeCache{defs: map[string]*typeDef{}} }

// ShareTypes makes d look up, and add, the type definitions it reads in c.
// It does not block; call it before the first Decode.
func (d *Decoder) ShareTypes(c *TypeCache) { d.cache = c }

// parse returns the definition body holds, parsed once for every Decoder
// sharing c.
func (c *TypeCache) parse(body []byte) (*typeDef, error) {
	c.mu.Lock()
	t := c.defs[string(body)]
	c.mu.Unlock()
	if t != nil {
		return t, nil
	}
	t, err := parseTypeDef(body)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.defs[string(body)]; old != nil {
		return old, nil
	}
	if len(c.defs) < maxCachedTypes && c.bytes+len(body) <= maxCachedTypeBytes {
		c.defs[string(body)] = t
		c.bytes += len(body)
	}
	return t, nil
}
