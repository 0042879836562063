package jsontok

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

type plainText struct {
	Text string `json:"text"`
}

type mixed struct {
	A string  `json:"a"`
	B int8    `json:"b,omitempty"`
	C bool    //
	D float64 `json:"d"`
	E uint16  `json:"e,omitempty"`
	F string  `json:"-"`
	G int64   `json:"-,"`
	h int
	I uint64 `json:"i"`
}

type withMethods struct{ T time.Time }
type embedding struct{ plainText }
type quoted struct {
	N int `json:"n,string"`
}
type clash struct {
	A string `json:"x"`
	B string `json:"X"`
}
type withSlice struct{ L []int }

func TestStructsAreTakenOnlyWhenPlain(t *testing.T) {
	for _, c := range []struct {
		v     any
		plain bool
	}{
		{plainText{}, true}, {mixed{}, true}, {struct{}{}, true},
		{withMethods{}, false}, {embedding{}, false}, {quoted{}, false}, {clash{}, false}, {withSlice{}, false},
	} {
		if got := codecOf(reflect.TypeOf(c.v)).plain; got != c.plain {
			t.Errorf("%T plain = %v, want %v", c.v, got, c.plain)
		}
	}
}

func checkEncodeStruct(t *testing.T, v any) {
	t.Helper()
	got, gotErr := Encode(v)
	want, wantErr := json.Marshal(v)
	if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("Encode(%#v) = %s, %v; json.Marshal %s, %v", v, got, gotErr, want, wantErr)
	}
}

func TestEncodeStructAgreesWithEncodingJSON(t *testing.T) {
	for _, v := range []any{
		plainText{"hello"}, &plainText{"x"}, (*plainText)(nil), plainText{"<tag> & \"quotes\" é"},
		mixed{A: "a", B: -3, C: true, D: 1.5e-9, E: 7, F: "f", G: 9, h: 1, I: 1 << 63},
		mixed{}, []any{plainText{"in a list"}}, map[string]any{"k": mixed{D: 1e21}},
		withMethods{}, embedding{plainText{"e"}}, quoted{5}, withSlice{[]int{1}}, struct{}{},
	} {
		checkEncodeStruct(t, v)
	}
}

func checkDecodeInto(t *testing.T, in []byte) {
	t.Helper()
	var got, want mixed
	gotErr := DecodeInto(in, &got)
	wantErr := json.Unmarshal(in, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("DecodeInto(%q) error %v, json.Unmarshal %v", in, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeInto(%q) = %+v, json.Unmarshal gives %+v", in, got, want)
	}
	var gt, wt plainText
	gotErr, wantErr = DecodeInto(in, &gt), json.Unmarshal(in, &wt)
	if (gotErr == nil) != (wantErr == nil) || (wantErr == nil && gt != wt) {
		t.Fatalf("DecodeInto(%q) = %+v, %v; json.Unmarshal %+v, %v", in, gt, gotErr, wt, wantErr)
	}
}

var structCases = []string{
	`{"text":"hello"}`, ` { "text" : "hi" } `, `{"text":null}`, `{"text":"a","text":"b"}`, `{"text":"a","text":null}`,
	`{"TEXT":"x"}`, `{"Text":"x"}`, `{"text":"caf\u00e9"}`, `{"text":5}`, `{"text":"x","other":[1,{"a":2}]}`,
	`{"a":"s","b":-128,"C":true,"d":-0,"e":65535,"F":"no","G":1,"h":3,"i":18446744073709551615}`,
	`{"b":128}`, `{"b":1.0}`, `{"b":1e2}`, `{"e":-1}`, `{"i":18446744073709551616}`, `{"d":1e400}`, `{"d":"1"}`,
	`{"c":true}`, `{"C":"true"}`, `{"C":null}`, `{"-":5}`, `{}`, `null`, `[]`, `"s"`, ``, `{`, `{"text":"x"} x`,
	`{"text":"x",}`, `{"a":tru}`,
}

func TestDecodeIntoAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range structCases {
		checkDecodeInto(t, []byte(c))
	}
	// An unknown field nesting maxDepth deep is one deeper in the object:
	// encoding/json refuses the input.
	for _, n := range []int{maxDepth - 1, maxDepth} {
		checkDecodeInto(t, []byte(`{"other":`+strings.Repeat("[", n)+strings.Repeat("]", n)+`}`))
	}
}

func TestAppendAndAppendValueAgreeWithEncodingJSON(t *testing.T) {
	prefix := []byte("prefix:")
	for _, v := range []any{
		plainText{"hello"}, &plainText{"x"}, mixed{A: "<&>"}, withMethods{}, "s", 1.5, []any{1.0, "a"},
		map[string]any{"b": 1.0, "a": nil}, withSlice{[]int{1}},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want = append(append([]byte(nil), prefix...), want...)
		got, err := Append(append([]byte(nil), prefix...), v)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Append(%#v) = %s, %v; want %s", v, got, err, want)
		}
		got, err = AppendValue(append([]byte(nil), prefix...), reflect.ValueOf(v))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("AppendValue(%#v) = %s, %v; want %s", v, got, err, want)
		}
	}
	if _, err := Append(nil, func() {}); err == nil {
		t.Error("Append of a func: no error")
	}
}
