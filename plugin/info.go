package plugin

// Info describes a plugin: what it is called, its version, and the methods it
// serves. It is the handshake a plugin sends (brpc calls it PluginInfo).
type Info struct {
	Name      string              `json:"name,omitempty"`
	Version   string              `json:"version,omitempty"`
	Functions map[string]Function `json:"functions,omitempty"`
	// Instances lists, for a plugin a host reaches through NATS, the
	// instances that serve it (docs/nats.md); it is nil for a plugin that
	// dials the socket, and never part of a handshake.
	Instances []Instance `json:"instances,omitempty"`
}

// Instance is one instance of a plugin served over NATS.
type Instance struct {
	// ID is the instance's micro service id.
	ID string `json:"id"`
	// Where is what the instance says of where it runs (host name and
	// process id, for the SDK's plugins), or "".
	Where string `json:"where,omitempty"`
}

// Function describes one method of a plugin: its name and the shape of its
// argument and result. Input or Output is nil when the type has nothing to
// describe (a struct without exported fields, for instance).
type Function struct {
	Name   string  `json:"name,omitempty"`
	Input  *Entity `json:"input,omitempty"`
	Output *Entity `json:"output,omitempty"`
}

// Entity describes a Go type the way a script author needs it. Type is the
// kind name ("string", "int", "float64", "bool", "struct", "[]string",
// "map[string]int", ...). For a struct, and for slices and maps of structs,
// Fields lists the fields under their JSON names; Mandatory is false for
// fields tagged omitempty.
type Entity struct {
	Name      string   `json:"name,omitempty"`
	Type      string   `json:"type,omitempty"`
	Mandatory bool     `json:"mandatory,omitempty"`
	Fields    []Entity `json:"fields,omitempty"`
}

// DeepCopy returns a copy of p that shares nothing with it. With full false
// only Name, Version and Instances are copied. DeepCopy of a nil Info is nil.
func (p *Info) DeepCopy(full bool) *Info {
	if p == nil {
		return nil
	}
	c := &Info{Name: p.Name, Version: p.Version}
	if p.Instances != nil {
		c.Instances = append([]Instance(nil), p.Instances...)
	}
	if !full || p.Functions == nil {
		return c
	}
	c.Functions = make(map[string]Function, len(p.Functions))
	for k, f := range p.Functions {
		c.Functions[k] = f.deepCopy()
	}
	return c
}

// deepCopy returns a copy of f that shares nothing with it.
func (f Function) deepCopy() Function {
	return Function{Name: f.Name, Input: f.Input.deepCopy(), Output: f.Output.deepCopy()}
}

// deepCopy returns a copy of e that shares nothing with it, or nil for nil.
func (e *Entity) deepCopy() *Entity {
	if e == nil {
		return nil
	}
	c := *e
	c.Fields = copyFields(e.Fields)
	return &c
}

func copyFields(fs []Entity) []Entity {
	if fs == nil {
		return nil
	}
	out := make([]Entity, len(fs))
	for i := range fs {
		out[i] = *fs[i].deepCopy()
	}
	return out
}
