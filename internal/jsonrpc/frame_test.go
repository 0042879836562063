package jsonrpc

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, in string, max int) ([]string, Framing, error) {
	t.Helper()
	r := NewReader(strings.NewReader(in), max)
	var out []string
	for {
		m, err := r.Read()
		if err != nil {
			return out, r.Framing(), err
		}
		out = append(out, string(m))
	}
}

func TestReadLines(t *testing.T) {
	got, f, err := readAll(t, "\n  {\"a\":1}\r\n\n{\"b\":[\n]}\n  \n{}\n", 64)
	if !errors.Is(err, io.EOF) || f != Lines {
		t.Fatalf("err %v, framing %v", err, f)
	}
	want := []string{`{"a":1}`, "{\"b\":[", "]}", "{}"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q", got)
	}
}

func TestReadHeaders(t *testing.T) {
	in := "Content-Length: 7\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"a\":1}" +
		"content-length:2\r\n\r\n{}"
	got, f, err := readAll(t, in, 64)
	if !errors.Is(err, io.EOF) || f != Headers || len(got) != 2 || got[0] != `{"a":1}` || got[1] != "{}" {
		t.Fatalf("got %q, %v, %v", got, f, err)
	}
}

func TestReadBounds(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{"{" + strings.Repeat(" ", 100) + "}\n", ErrTooLarge},
		{strings.Repeat(" ", 100), ErrTooLarge},
		{"Content-Length: 65\r\n\r\n", ErrTooLarge},
		{"Content-Length: -1\r\n\r\n", ErrFraming},
		{"Content-Length: 2\r\n" + strings.Repeat("A: b\r\n", MaxHeaders+1) + "\r\n{}", ErrFraming},
		{"Content-Length: 2" + strings.Repeat(" ", MaxHeaderLine) + "\r\n\r\n{}", ErrFraming},
		{"Content-Length 2\r\n\r\n{}", ErrFraming},
		{"x", ErrFraming},
		{"{\"a\":1}", io.ErrUnexpectedEOF},
		{"Content-Length: 5\r\n\r\n{}", io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		if _, _, err := readAll(t, c.in, 64); !errors.Is(err, c.want) {
			t.Errorf("%.30q: got %v, want %v", c.in, err, c.want)
		}
	}
	// Exactly the limit is allowed, in both framings.
	body := "{" + strings.Repeat(" ", 62) + "}"
	for _, in := range []string{body + "\r\n", "Content-Length: 64\r\n\r\n" + body} {
		if got, _, err := readAll(t, in, 64); len(got) != 1 || !errors.Is(err, io.EOF) {
			t.Errorf("%.30q: got %q, %v", in, got, err)
		}
	}
}

func TestReadCharges(t *testing.T) {
	var charged int
	r := NewReader(strings.NewReader(`{"a":"`+strings.Repeat("x", 10000)+`"}`+"\n"), 1<<20)
	r.ChargeTo(func(n int) error { charged += n; return nil })
	m, err := r.Read()
	if err != nil || charged < len(m) || charged > 4*len(m) {
		t.Fatalf("charged %d for %d bytes: %v", charged, len(m), err)
	}
	full := errors.New("full")
	r = NewReader(strings.NewReader(`{"a":"`+strings.Repeat("x", 10000)+`"}`+"\n"), 1<<20)
	r.ChargeTo(func(int) error { return full })
	if _, err := r.Read(); !errors.Is(err, full) {
		t.Fatalf("got %v", err)
	}
}

func TestAppendRoundTrip(t *testing.T) {
	for _, f := range []Framing{Lines, Headers} {
		var b []byte
		b = Append(b, f, []byte(`{"x":"é"}`))
		b = Append(b, f, []byte(`{}`))
		r := NewReader(bytes.NewReader(b), 64)
		for _, want := range []string{`{"x":"é"}`, `{}`} {
			if m, err := r.Read(); err != nil || string(m) != want {
				t.Fatalf("%v: %q, %v", f, m, err)
			}
		}
		if r.Framing() != f {
			t.Fatalf("framing %v, want %v", r.Framing(), f)
		}
	}
}

func TestSingle(t *testing.T) {
	for in, want := range map[string]string{``: `null`, `[]`: `null`, `[5]`: `5`, `[[1]]`: `[1]`,
		`[1,2]`: `[1,2]`, `{"a":1}`: `{"a":1}`, ` ["s"]`: `"s"`} {
		if got := string(Single([]byte(in))); got != want {
			t.Errorf("Single(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzReader reads arbitrary bytes as framed messages: it must never panic
// nor hand out a message past the limit, and after an error it keeps
// returning it.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"{}\n", "Content-Length: 2\r\n\r\n{}", "\r\n{\"a\":[1]}\n{", "C:\r\n\r\n", "content-length: 300\r\n\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), 256)
		charged := 0
		r.ChargeTo(func(n int) error { charged += n; return nil })
		for {
			m, err := r.Read()
			if err != nil {
				if _, again := r.Read(); again != err {
					t.Fatalf("second error %v after %v", again, err)
				}
				break
			}
			if len(m) > 256 {
				t.Fatalf("message of %d bytes", len(m))
			}
		}
		if charged > 256 {
			t.Fatalf("charged %d", charged)
		}
	})
}

func TestBeginEndFrameAsAppendDoes(t *testing.T) {
	for _, f := range []Framing{Lines, Headers} {
		for _, msg := range []string{`{}`, `{"jsonrpc":"2.0","id":1,"result":"` + strings.Repeat("x", 300) + `"}`} {
			prefix := []byte("earlier message")
			want := Append(append([]byte(nil), prefix...), f, []byte(msg))
			b := append([]byte(nil), prefix...)
			start := Begin(b)
			b = append(b, msg...)
			if got := End(b, f, start); !bytes.Equal(got, want) {
				t.Errorf("%v: End gives %q, Append %q", f, got, want)
			}
		}
	}
}
