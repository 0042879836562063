package js

import (
	"errors"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// TestToJSONMatchesStringify: ToJSON writes what JSON.stringify writes,
// byte for byte, and fails where it throws, with the same message, or
// gives undefined for anything but undefined.
func TestToJSONMatchesStringify(t *testing.T) {
	e := newConverter(t)
	for _, src := range []string{
		`undefined`, `null`, `true`, `false`, `0`, `-0`, `1`, `-1`, `1.5`, `0.1`, `1e21`, `1e20`, `1.5e-7`, `1e-6`,
		`NaN`, `Infinity`, `-Infinity`, `2**53`, `2**31`, `-(2**63)`, `123456789012345680000`,
		`""`, `"x"`, `"a\"b\\c\b\f\n\r\t\u0001\u001f\u007f"`, `"ü"`, `"\ud800"`, `"a\udc00b"`, `"😀"`,
		`({})`, `[]`, `({a: 1, b: "two", c: [true, null]})`, `[1, undefined, function() {}, Symbol(), null]`,
		`({a: undefined, b: () => 1, c: 1, d: Symbol()})`, `({[Symbol()]: 1, x: 2})`,
		`({b: 1, a: 2, 2: 3, 1: 4, "-1": 5, "01": 6})`, `({__proto__: {x: 1}, own: 2})`,
		`JSON.parse('{"__proto__": {"x": 1}}')`, `({"ü": 1, "\ud800": 2, "\ufffd": 3, "a\"b": 4})`,
		`new Date(0)`, `[new Date(0)]`, `({d: new Date(0)})`, `({toJSON(k) { return "key:" + k }})`,
		`[{toJSON(k) { return "key:" + k }}, {toJSON(k) { return k }}]`, `({x: {toJSON(k) { return k }}})`,
		`({toJSON() { return undefined }})`, `({toJSON() { return null }})`, `({toJSON() { return () => 1 }})`,
		`({toJSON() { return {y: [1, {toJSON() { return 2 }}]} }})`, `({toJSON() { return new Date(0) }})`,
		`({toJSON() { return new Number(3) }})`, `({toJSON: 5, a: 1})`, `({a: {toJSON: null}})`,
		`new Number(1)`, `new String("s")`, `new Boolean(false)`, `[new Number(1), new String("ü"), new Boolean(false)]`,
		`new Map([[1, 2]])`, `new Set([1])`, `[new Error("e")]`, `Object.create(null)`, `(() => { const o = Object.create(null); o.a = 1; return o })()`,
		`new Proxy({a: 1}, {})`, `new Proxy([1, 2], {})`, `({p: new Proxy({a: 1}, {get: () => 7})})`,
		`(() => { class C { constructor() { this.x = 1 } get y() { return 2 } } return new C() })()`,
		`(() => { class C { constructor() { this.x = 1 } toJSON() { return "c" } } return [new C()] })()`,
		`Object.defineProperty({}, "g", {get() { return 1 }, enumerable: true})`,
		`Object.defineProperty({a: 1}, "h", {value: 1, enumerable: false})`,
		`[, 1, , 2]`, `(() => { const a = []; a[5] = 1; return a })()`, `(() => { const a = [1]; a.x = 2; return a })()`,
		`(() => { const a = []; a[300] = 1; return a })()`, `new Uint8Array([1, 2])`, `new ArrayBuffer(2)`,
		`(function() { return arguments })(1, 2)`, `args`, `[args]`,
		`10n`, `[10n]`, `({a: 10n})`, `Symbol()`, `function f() {}`, `[[[[[]]]]]`, `{}`,
		`(() => { const o = {}; o.o = o; return o })()`, `(() => { const a = []; a.push(a); return a })()`,
		`(() => { const o = {}; o.p = new Proxy(o, {}); return o })()`, `(() => { const o = {}; o.d = {toJSON() { return o }}; return o })()`,
		`({get a() { throw new Error("boom") }})`, `({toJSON() { throw new TypeError("tj") }})`,
		`(() => { let a = []; for (let i = 0; i < 3000; i++) a = [a]; return a })()`,
		`(() => { const o = {}; for (let i = 0; i < 300; i++) o["k" + i] = i; return o })()`,
		`(() => { const a = []; for (let i = 0; i < 300; i++) a.push(i * 1.5); return a })()`,
		`({a: 1.0000000000000002, b: 5e-324, c: 1.7976931348623157e308, d: -1e-7})`,
		`({toJSON(k) { return {k: k, n: {toJSON(k2) { return k2 + "!" }}} }})`,
	} {
		v, err := e.vm.RunString(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		got, gerr := e.ToJSON(v)
		var want []byte
		var werr string
		if out, err := e.stringify(e.json, v); err != nil {
			werr = exceptionText(err)
		} else if !goja.IsUndefined(out) {
			want = []byte(out.String())
		} else if !goja.IsUndefined(v) {
			// JSON.stringify gives undefined: no JSON, an error
			if !errors.Is(gerr, scripting.ErrBadArgument) || !strings.Contains(gerr.Error(), "cannot convert") {
				t.Errorf("%s: %q, %v; want an error", src, got, gerr)
			}
			continue
		}
		if werr != "" {
			if gerr == nil || !strings.HasSuffix(gerr.Error(), "not convertible to JSON: "+werr) {
				t.Errorf("%s: error %v, want one saying %q", src, gerr, werr)
			}
			continue
		}
		if gerr != nil {
			t.Errorf("%s: %v, want %s", src, gerr, want)
			continue
		}
		if string(got) != string(want) || (got == nil) != (want == nil) {
			t.Errorf("%s: %q, want %q", src, got, want)
		}
	}
}

// TestFromJSONMatchesParse: FromJSON makes what JSON.parse makes: the same
// values, keys in the same order, "__proto__" an own property.
func TestFromJSONMatchesParse(t *testing.T) {
	e := newConverter(t)
	for _, src := range append([]string{
		`{"b":1,"a":2,"2":3,"1":4,"-1":5,"01":6}`, `{"a":1,"b":2,"a":3}`, `{"__proto__":{"x":1},"y":2}`,
		`[1.5,-0,0,1e21,1e-7,123456789012345678,-9007199254740993,0.1]`, `{"ü":"\u00fc\ud83d\ude00","\ud800":"\udc00"}`,
		"\"a\xffb\"", `[{"a":[{"b":[]}]},{},[],"",null,true,false]`, ` { "a" : [ 1 , 2 ] } `,
	}, jsonSeeds...) {
		v, err := e.FromJSON([]byte(src))
		if err != nil {
			t.Fatalf("FromJSON(%s): %v", src, err)
		}
		want, err := e.parse(e.json, e.vm.ToValue(src))
		if err != nil {
			t.Fatalf("JSON.parse(%s): %v", src, err)
		}
		got, _ := e.stringify(e.json, v)
		exp, _ := e.stringify(e.json, want)
		if got.String() != exp.String() {
			t.Errorf("%s: %s, want %s", src, got, exp)
		}
		if o, ok := v.(*goja.Object); ok {
			if o.Prototype() != want.(*goja.Object).Prototype() {
				t.Errorf("%s: prototype differs", src)
			}
		}
	}
	for _, bad := range []string{`{`, `[1,]`, `1e400`, `{"a":1e400}`, `nul`, `"\ud800`, `[1] x`} {
		_, gerr := e.FromJSON([]byte(bad))
		_, perr := e.parse(e.json, e.vm.ToValue(bad))
		if gerr == nil || perr == nil || !strings.HasSuffix(gerr.Error(), exceptionText(perr)) {
			t.Errorf("FromJSON(%s): %v, want JSON.parse's %v", bad, gerr, perr)
		}
	}
}
