package js

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Source maps as goja reads them.
//
// goja's file.File.Position looks a 1-based column up in the source map
// (go-sourcemap's Consumer.Source, whose columns are 0-based) and returns
// the 0-based column it finds as it is: a position maps to the token after
// it when one starts there, and the column printed is one less than the
// editor's. (No upstream issue was found for it; the test
// TestTypeScriptColumns shows it.) adjustMap works around it from our
// side: every generated column and every source column of the map is one
// more, so that the lookup of goja's 1-based column is exact and the
// column it returns is 1-based, as stacks print columns.
//
// With lines, the map's generated code is that many lines further down
// (the bundle runs after lines of our own).

// adjustMap returns the source map m with its columns one more (see
// above) and its generated code lines lines further down.
func adjustMap(m []byte, lines int) ([]byte, error) {
	var sm map[string]any
	if err := json.Unmarshal(m, &sm); err != nil {
		return nil, fmt.Errorf("source map: %w", err)
	}
	mappings, _ := sm["mappings"].(string)
	shifted, err := shiftColumns(mappings)
	if err != nil {
		return nil, fmt.Errorf("source map: %w", err)
	}
	sm["mappings"] = strings.Repeat(";", lines) + shifted
	return json.Marshal(sm)
}

// shiftColumns adds one to every generated and source column of the VLQ
// mappings. Generated columns start again from 0 on each line, so the
// first segment of each line changes; source columns run on across lines,
// so only the first segment that has one changes.
func shiftColumns(mappings string) (string, error) {
	var b strings.Builder
	b.Grow(len(mappings) + len(mappings)/8)
	sourceDone := false
	for li, line := range strings.Split(mappings, ";") {
		if li > 0 {
			b.WriteByte(';')
		}
		for si, seg := range strings.Split(line, ",") {
			if si > 0 {
				b.WriteByte(',')
			}
			if seg == "" {
				continue
			}
			fields, err := decodeVLQ(seg)
			if err != nil {
				return "", err
			}
			if si == 0 {
				fields[0]++
			}
			if !sourceDone && len(fields) >= 4 {
				fields[3]++
				sourceDone = true
			}
			for _, f := range fields {
				encodeVLQ(&b, f)
			}
		}
	}
	return b.String(), nil
}

const vlqChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var errVLQ = errors.New("malformed VLQ mapping")

// decodeVLQ decodes the base64 VLQ numbers of one segment.
func decodeVLQ(seg string) ([]int, error) {
	var out []int
	value, shift := 0, 0
	for i := 0; i < len(seg); i++ {
		d := strings.IndexByte(vlqChars, seg[i])
		if d < 0 || shift > 30 {
			return nil, errVLQ
		}
		value |= (d & 31) << shift
		if d&32 != 0 {
			shift += 5
			continue
		}
		n := value >> 1
		if value&1 != 0 {
			n = -n
		}
		out = append(out, n)
		value, shift = 0, 0
	}
	if shift != 0 {
		return nil, errVLQ
	}
	return out, nil
}

// encodeVLQ writes n as base64 VLQ.
func encodeVLQ(b *strings.Builder, n int) {
	v := n << 1
	if n < 0 {
		v = (-n << 1) | 1
	}
	for {
		d := v & 31
		v >>= 5
		if v != 0 {
			d |= 32
		}
		b.WriteByte(vlqChars[d])
		if v == 0 {
			return
		}
	}
}
