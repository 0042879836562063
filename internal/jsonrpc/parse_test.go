package jsonrpc

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
)

var parseCases = []string{
	`{"jsonrpc":"2.0","id":7,"result":{"text":"hi"}}`,
	`{"jsonrpc":"2.0","id":"a","result":null}`,
	` { "id" : 1 , "result" : [1, "two", {"x": null}] , "jsonrpc" : "2.0" } `,
	`{"jsonrpc":"2.0","method":"$/async","params":["v"]}`,
	`{"jsonrpc":"2.0","id":3,"method":"register","params":{"name":"p"}}`,
	`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"no"}}`,
	`{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"a"},"error":{"data":2}}`,
	`{}`, `{"other":1}`, `{"trace":"t","id":null}`, `{"id":1,"id":2}`,
	`{"method":"a","method":null}`, `{"method":null}`, `{"method":5}`, `{"jsonrpc":2}`,
	`{"ID":1}`, `{"Method":"x"}`, `{"RESULT":1}`, `{"Error":{}}`, `{"m\u0065thod":"x"}`,
	`{"method":"caf\u00e9"}`, `{"method":"tab\tthere"}`, "{\"method\":\"\xff\"}",
	`{"id":1}x`, `{"id":1,}`, `{"id":}`, `{"id"1}`, `{,}`, `{`, ``, `null`, `[]`, `[{"id":1}]`,
	`"str"`, `5`, `{"params":[1,2}`, `{"id":1} `, "\n{\"id\":1}\n", `{"result":01}`,
}

// checkParse fails t when Parse and json.Unmarshal disagree on in.
func checkParse(t *testing.T, in []byte) {
	t.Helper()
	var got, want Message
	gotErr := Parse(in, &got)
	wantErr := json.Unmarshal(in, &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("Parse(%q) error %v, json.Unmarshal %v", in, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if got.JSONRPC != want.JSONRPC || got.Method != want.Method ||
		!bytes.Equal(got.ID, want.ID) || !bytes.Equal(got.Params, want.Params) ||
		!bytes.Equal(got.Result, want.Result) || !reflect.DeepEqual(got.Error, want.Error) ||
		(got.ID == nil) != (want.ID == nil) || (got.Params == nil) != (want.Params == nil) ||
		(got.Result == nil) != (want.Result == nil) {
		t.Fatalf("Parse(%q) = %+v, json.Unmarshal gives %+v", in, got, want)
	}
}

func TestParseAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range parseCases {
		checkParse(t, []byte(c))
	}
	// A member nesting 10,000 deep is 10,001 deep in the message, past
	// encoding/json's limit; 9,999 is within it.
	for _, n := range []int{jsontok.MaxDepth - 1, jsontok.MaxDepth} {
		checkParse(t, []byte(`{"jsonrpc":"2.0","params":`+strings.Repeat("[", n)+strings.Repeat("]", n)+`}`))
	}
}

func TestParseTakesTheCommonMessagesItself(t *testing.T) {
	for _, c := range parseCases[:5] {
		var m Message
		if !parseFast([]byte(c), &m) {
			t.Errorf("%s went to encoding/json", c)
		}
	}
}

// FuzzParse holds Parse to json.Unmarshal, and Single to its result by
// way of json.Unmarshal.
func FuzzParse(f *testing.F) {
	for _, c := range append(parseCases, singleCases...) {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkParse(t, in)
		if got, want := Single(in), singleByUnmarshal(in); !bytes.Equal(got, want) {
			t.Fatalf("Single(%q) = %q, by json.Unmarshal %q", in, got, want)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	in := []byte(`{"jsonrpc":"2.0","id":12345,"result":{"text":"hello, switchboard, a payload of about sixty-four bytes"}}`)
	b.Run("jsonrpc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m Message
			if err := Parse(in, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m Message
			if err := json.Unmarshal(in, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// singleByUnmarshal is what Single returns, by way of encoding/json.
func singleByUnmarshal(params json.RawMessage) json.RawMessage {
	p := bytes.TrimSpace(params)
	if len(p) == 0 || p[0] != '[' {
		if len(p) == 0 {
			return json.RawMessage("null")
		}
		return p
	}
	var list []json.RawMessage
	if err := json.Unmarshal(p, &list); err != nil {
		return p
	}
	switch len(list) {
	case 0:
		return json.RawMessage("null")
	case 1:
		return list[0]
	}
	return p
}

var singleCases = []string{
	``, ` `, `null`, `{"a":1}`, `"s"`, `[]`, ` [ ] `, `[] x`, `[1]`, `[ 1 ]`, `[1,2]`, `[1,]`, `[1`, `[1] x`,
	`[[1,2]]`, `[{"text":"hi"}]`, `[` + "\n" + `"a"` + "\n" + `]`, `[x]`, `[1]]`,
}
