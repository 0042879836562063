package js

import (
	"errors"
	"fmt"

	"github.com/dop251/goja"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
)

// Bounds on what one script may make the engine do in a single step, so that
// a runaway script fails with an error instead of ending the host.
const (
	// MaxCallStack is the deepest JavaScript call stack, in calls. goja's
	// own default is unbounded (math.MaxInt32): a runaway recursion grows
	// until the process runs out of memory.
	MaxCallStack = 5_000
	// MaxGeneratorDepth is how deeply generators may resume one another
	// (with yield*, or by calling next inside next).
	MaxGeneratorDepth = 1_000
	// MaxStringLength is the longest string, in UTF-16 code units (at most
	// 256 MiB), that one call of String.prototype.repeat, padStart,
	// padEnd, replace, replaceAll (with a string replacement) or
	// Array.prototype.join may build.
	MaxStringLength = 1 << 27
	// MaxArrayLength is the most elements (256 MiB of values) that one call
	// of Array.prototype.fill, Array.from, String.prototype.split,
	// Function.prototype.apply, Reflect.apply or Reflect.construct may make.
	MaxArrayLength = 1 << 24
	// MaxBufferBytes is the largest ArrayBuffer or typed array one
	// constructor call may allocate, in bytes (256 MiB).
	MaxBufferBytes = 1 << 28
	// MaxSourceDepth is how deeply the brackets of JavaScript or
	// TypeScript source ((), [], {} and template literals' ${}) may nest:
	// a script file, a module, a REPL entry, or the text given to eval or
	// Function. Deeper source is refused with a SyntaxError before goja or
	// esbuild parses it (both recurse once per level and, some hundreds of
	// thousands deep, overflow the Go stack, which ends the host); see
	// depth.go.
	MaxSourceDepth = 1_000
)

// limitsSource is the script that installs the bounds. goja allocates what
// these builtins ask for at once and in full ("x".repeat(2 ** 40) asks Go
// for a terabyte, and the runtime's "fatal error: out of memory" cannot be
// recovered), so each is replaced by a checked function that computes the
// size of the result from its converted arguments, throws a RangeError past
// the bound, and otherwise calls the original with those same converted
// arguments (so that a valueOf or toString runs once, as it would).
// Constructors are replaced by functions that share their prototype and
// statics, so that instanceof, subclassing and C.from keep working. It runs under the name "<native>", so that
// its frames read as the builtins' own in stacks and error locations.
const limitsSource = `(function (maxString, maxArray, maxBytes, maxResume) {
"use strict";
const apply = Reflect.apply, construct = Reflect.construct, defineProperty = Object.defineProperty;
const Str = String, Num = Number, Obj = Object, RangeErr = RangeError, AB = ArrayBuffer;
const trunc = Math.trunc, min = Math.min, max = Math.max, iterator = Symbol.iterator;
function integer(v) { const n = trunc(Num(v)); return n !== n ? 0 : n; }
function toLength(v) { return min(max(integer(v), 0), 2 ** 53 - 1); }
function tooLarge(what, n, bound) {
	throw new RangeErr(what + " would be " + n + ", past the bound of " + bound);
}
function replace(obj, name, fn) {
	const orig = obj[name];
	defineProperty(fn, "name", {value: name});
	defineProperty(fn, "length", {value: orig.length});
	defineProperty(obj, name, {value: fn, writable: true, enumerable: false, configurable: true});
	return orig;
}
const SP = String.prototype, AP = Array.prototype;
const repeat = replace(SP, "repeat", {repeat(count) {
	if (this == null) return apply(repeat, this, [count]);
	const s = Str(this), n = integer(count);
	if (n > 0 && n !== Infinity && s.length * n > maxString) tooLarge("the string's length", s.length * n, maxString);
	return apply(repeat, s, [n]);
}}.repeat);
for (const name of ["padStart", "padEnd"]) {
	const orig = replace(SP, name, {[name](maxLength, fillString) {
		if (this == null) return apply(orig, this, [maxLength, fillString]);
		const s = Str(this), n = toLength(maxLength), fill = fillString === undefined ? undefined : Str(fillString);
		if (n > maxString && n > s.length && fill !== "") tooLarge("the string's length", n, maxString);
		return apply(orig, s, fill === undefined ? [n] : [n, fill]);
	}}[name]);
}
const split = replace(SP, "split", {split(separator, limit) {
	if (this == null || separator === undefined || separator !== null && separator[Symbol.split] !== undefined) {
		return apply(split, this, [separator, limit]);
	}
	const s = Str(this), lim = limit === undefined ? 2 ** 32 - 1 : Num(limit) >>> 0, sep = Str(separator);
	let parts = 1;
	if (sep === "") parts = s.length;
	else for (let i = s.indexOf(sep); i >= 0 && parts <= maxArray; i = s.indexOf(sep, i + sep.length)) parts++;
	if (min(parts, lim) > maxArray) tooLarge("the array's length", parts, maxArray);
	return apply(split, s, [sep, lim]);
}}.split);
// replace and replaceAll with a string replacement: the result is the
// subject plus one replacement per match, so an empty search in a long
// string multiplies the replacement by the string's length. The matches
// are counted first (only when the product could pass the bound).
function matches(s, search, all) {
	if (!all) return 1;
	if (typeof search === "string") {
		if (search === "") return s.length + 1;
		let n = 0;
		for (let i = s.indexOf(search); i >= 0 && n <= maxString; i = s.indexOf(search, i + search.length)) n++;
		return n;
	}
	let n = 0;
	apply(replaceOrig, s, [search, () => { n++; return ""; }]);
	return n;
}
function checkReplace(s, search, replacement, all) {
	if (typeof replacement !== "string" || (s.length + 1) * replacement.length <= maxString) return;
	const size = s.length + matches(s, search, all) * replacement.length;
	if (size > maxString) tooLarge("the string's length", size, maxString);
}
const replaceOrig = replace(SP, "replace", {replace(search, replacement) {
	if (this == null || typeof replacement === "function") return apply(replaceOrig, this, [search, replacement]);
	const s = Str(this);
	const re = search !== null && typeof search === "object" && search[Symbol.replace] !== undefined;
	const pattern = re ? search : Str(search), r = Str(replacement);
	checkReplace(s, pattern, r, re && search.global);
	return apply(replaceOrig, s, [pattern, r]);
}}.replace);
const replaceAll = replace(SP, "replaceAll", {replaceAll(search, replacement) {
	if (this == null || typeof replacement === "function") return apply(replaceAll, this, [search, replacement]);
	const s = Str(this);
	const re = search !== null && typeof search === "object" && search[Symbol.replace] !== undefined;
	const pattern = re ? search : Str(search), r = Str(replacement);
	if (!re || search.global) checkReplace(s, pattern, r, true);
	return apply(replaceAll, s, [pattern, r]);
}}.replaceAll);
const join = replace(AP, "join", {join(separator) {
	if (this == null) return apply(join, this, [separator]);
	const o = Obj(this), len = toLength(o.length), sep = separator === undefined ? "," : Str(separator);
	let size = len > 0 ? (len - 1) * sep.length : 0;
	for (let i = 0; i < len && len <= maxArray && size <= maxString; i++) {
		const v = o[i];
		if (typeof v === "string") size += v.length;
	}
	if (size > maxString) tooLarge("the string's length", size, maxString);
	return apply(join, o, [sep]);
}}.join);
const fill = replace(AP, "fill", {fill(value, start, end) {
	if (this == null) return apply(fill, this, [value, start, end]);
	const o = Obj(this), len = toLength(o.length);
	const at = (v, d) => { const n = v === undefined ? d : integer(v); return n < 0 ? max(len + n, 0) : min(n, len); };
	const from = at(start, 0), to = at(end, len);
	if (to - from > maxArray) tooLarge("the array's length", to - from, maxArray);
	return apply(fill, o, [value, from, to]);
}}.fill);
function arrayLike(v) {
	if (typeof v === "string") return v.length;
	if (v == null || typeof v !== "object" && typeof v !== "function" || v instanceof AB) return 0;
	return v[iterator] == null ? toLength(v.length) : 0;
}
const from = replace(Array, "from", {from(items, mapFn, thisArg) {
	const n = arrayLike(items);
	if (n > maxArray) tooLarge("the array's length", n, maxArray);
	return apply(from, this, [items, mapFn, thisArg]);
}}.from);
const fapply = replace(Function.prototype, "apply", {apply(thisArg, args) {
	const n = arrayLike(args);
	if (n > maxArray) tooLarge("the number of arguments", n, maxArray);
	return apply(fapply, this, [thisArg, args]);
}}.apply);
replace(Reflect, "apply", {apply(target, thisArg, args) {
	const n = arrayLike(args);
	if (n > maxArray) tooLarge("the number of arguments", n, maxArray);
	return apply(target, thisArg, args);
}}.apply);
replace(Reflect, "construct", {construct(target, args, newTarget) {
	const n = arrayLike(args);
	if (n > maxArray) tooLarge("the number of arguments", n, maxArray);
	return arguments.length < 3 ? construct(target, args) : construct(target, args, newTarget);
}}.construct);
// A generator delegating with yield* resumes the inner one from Go,
// outside the call stack goja bounds, so that function* g() { yield* g() }
// used to recurse until the Go stack overflowed: resuming is counted here.
const GP = Obj.getPrototypeOf(function* () {}.prototype);
let resuming = 0;
for (const name of ["next", "return", "throw"]) {
	const orig = replace(GP, name, {[name](v) {
		if (resuming >= maxResume) throw new RangeErr("Maximum call stack size exceeded (generators resumed " + maxResume + " deep)");
		resuming++;
		try { return apply(orig, this, [v]); } finally { resuming--; }
	}}[name]);
}
for (const name of ["ArrayBuffer", "SharedArrayBuffer", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array",
	"Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]) {
	const C = globalThis[name];
	if (typeof C !== "function") continue;
	const per = C.BYTES_PER_ELEMENT || 1;
	const W = function (...args) {
		if (new.target === undefined) return apply(C, this, args); // the constructor's own TypeError
		const a = args[0];
		const n = typeof a === "object" || typeof a === "function" ? arrayLike(a) : a === undefined ? 0 : integer(a);
		if (n * per > maxBytes) tooLarge("the buffer's size in bytes", n * per, maxBytes);
		return construct(C, args, new.target === W ? C : new.target);
	};
	defineProperty(W, "name", {value: name});
	defineProperty(W, "length", {value: C.length});
	// W stands for C: same prototype object, statics and [[Prototype]],
	// so that instanceof, subclassing and C.from work as before. (A Proxy
	// would be simpler, but goja's instanceof refuses a Proxy of a
	// constructor.)
	for (const key of Reflect.ownKeys(C)) {
		if (key !== "length" && key !== "name") defineProperty(W, key, Obj.getOwnPropertyDescriptor(C, key));
	}
	Obj.setPrototypeOf(W, Obj.getPrototypeOf(C));
	defineProperty(C.prototype, "constructor", {value: W, writable: true, enumerable: false, configurable: true});
	globalThis[name] = W;
}
})`

// installLimits bounds the call stack and replaces the builtins that build
// a value of any size in one step by checked ones; see limitsSource.
func (e *Engine) installLimits() error {
	e.vm.SetMaxCallStackSize(MaxCallStack)
	prg, err := goja.Compile("<native>", limitsSource, true)
	if err != nil {
		return fmt.Errorf("js: compiling the limits: %w", err)
	}
	v, err := e.vm.RunProgram(prg)
	if err != nil {
		return fmt.Errorf("js: installing the limits: %w", err)
	}
	install, ok := goja.AssertFunction(v)
	if !ok {
		return fmt.Errorf("js: installing the limits: not a function")
	}
	// JSON.parse recurses once per level without bound: a plugin's string
	// nested 3,000,000 deep overflowed the Go stack. Past jsontok.MaxDepth
	// (encoding/json's limit) it is a SyntaxError, before goja parses.
	syntaxErr := e.vm.Get("SyntaxError")
	parse := e.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		text := c.Argument(0).String()
		if jsontok.Deeper([]byte(text), jsontok.MaxDepth) {
			msg := e.vm.ToValue(fmt.Sprintf("JSON nested deeper than %d levels", jsontok.MaxDepth))
			if obj, err := e.vm.New(syntaxErr, msg); err == nil {
				panic(obj)
			}
			panic(e.vm.NewGoError(errors.New(msg.String())))
		}
		v, err := e.parse(e.json, append([]goja.Value{e.vm.ToValue(text)}, c.Arguments[min(1, len(c.Arguments)):]...)...)
		if err != nil {
			panic(err)
		}
		return v
	}).(*goja.Object)
	_ = parse.DefineDataProperty("name", e.vm.ToValue("parse"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = parse.DefineDataProperty("length", e.vm.ToValue(2), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	if err := e.json.(*goja.Object).DefineDataProperty("parse", parse, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
		return fmt.Errorf("js: installing the limits: %w", err)
	}
	if _, err := install(goja.Undefined(), e.vm.ToValue(MaxStringLength), e.vm.ToValue(MaxArrayLength), e.vm.ToValue(MaxBufferBytes), e.vm.ToValue(MaxGeneratorDepth)); err != nil {
		return fmt.Errorf("js: installing the limits: %w", err)
	}
	return nil
}
