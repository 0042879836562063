package scripting

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// checkFields reports a field of payload that the described input of the
// method does not have, as an error wrapping ErrBadArgument: `unknown
// field "txt" (did you mean "text"?)`. Nested objects are checked where
// the description has their fields; an input without described fields
// (a plugin that describes none, a map, any) is not checked. Names match
// without regard to case, as Go's JSON decoding does.
func checkFields(in *plugin.Entity, payload []byte) error {
	if in == nil || len(in.Fields) == 0 || len(payload) == 0 {
		return nil
	}
	if fieldsKnown(in, payload, 0) {
		return nil // what a call usually is: no need to decode it
	}
	return checkDecoded(in, payload)
}

// checkDecoded is checkFields on payload decoded: the verdict, and which
// field an error names.
func checkDecoded(in *plugin.Entity, payload []byte) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(payload))
	if dec.Decode(&v) != nil {
		return nil // not for this check to say
	}
	return checkValue(in, v, "")
}

func checkValue(e *plugin.Entity, v any, path string) error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	switch {
	case e.Type == "struct":
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		return checkObject(e.Fields, obj, path)
	case strings.HasPrefix(e.Type, "[]") && strings.HasSuffix(e.Type, "struct"):
		arr, ok := v.([]any)
		if !ok {
			return nil
		}
		inner := &plugin.Entity{Type: strings.TrimPrefix(e.Type, "[]"), Fields: e.Fields}
		for i, x := range arr {
			if err := checkValue(inner, x, fmt.Sprintf("%s[%d].", strings.TrimSuffix(path, "."), i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkObject(fields []plugin.Entity, obj map[string]any, path string) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	for _, k := range keys {
		f := fieldNamed(fields, k)
		if f == nil {
			msg := fmt.Sprintf("unknown field %q", path+k)
			if c := closest(k, names); c != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", path+c)
			}
			return &textError{err: ErrBadArgument, text: msg}
		}
		if err := checkValue(f, obj[k], path+k+"."); err != nil {
			return err
		}
	}
	return nil
}

// fieldNamed finds the field k names: the exact name first, else one that
// differs in case only.
func fieldNamed(fields []plugin.Entity, k string) *plugin.Entity {
	for i := range fields {
		if fields[i].Name == k {
			return &fields[i]
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].Name, k) {
			return &fields[i]
		}
	}
	return nil
}

// hasFields reports whether payload is a JSON object or array, the only
// payloads checkFields looks into.
func hasFields(payload []byte) bool {
	b := bytes.TrimLeft(payload, " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}
