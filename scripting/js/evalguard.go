package js

import (
	"fmt"

	"github.com/dop251/goja"
)

// evalGuardSource replaces eval and the Function constructors (Function,
// AsyncFunction, GeneratorFunction), which goja parses at run time, by
// functions that measure the source first (check, see depth.go: a
// function's body, then its parameters) and then call the original. Each constructor's stand-in shares its prototype and
// statics, as the typed arrays' do in limitsSource, so that instanceof,
// subclassing and f.constructor keep working; arguments are converted to
// strings once, in order, as Function itself would.
//
// goja treats a call eval(x) as a direct eval only when the function
// called is its own %eval% (vm.callEval compares it with the runtime's
// Eval): with the global eval replaced, every eval is an indirect one. It
// runs in the global scope, and neither sees nor declares the calling
// function's variables. The script API documents it (docs/scripting.md).
const evalGuardSource = `(function (check) {
"use strict";
const apply = Reflect.apply, construct = Reflect.construct, defineProperty = Object.defineProperty;
const getProto = Object.getPrototypeOf, setProto = Object.setPrototypeOf, ownKeys = Reflect.ownKeys;
const describe = Object.getOwnPropertyDescriptor;
const evalOrig = globalThis.eval;
const ev = {eval(x) {
	if (typeof x === "string") check(x);
	return evalOrig(x);
}}.eval;
defineProperty(ev, "length", {value: 1});
defineProperty(globalThis, "eval", {value: ev, writable: true, enumerable: false, configurable: true});
const FunctionOrig = Function;
function guard(C) {
	const W = function (...args) {
		const strs = [];
		for (let i = 0; i < args.length; i++) strs.push(` + "`${args[i]}`" + `);
		const n = strs.length;
		if (n > 0) check(strs[n - 1]);
		if (n > 1) check(strs.slice(0, n - 1).join(","));
		return new.target === undefined ? apply(C, this, strs) : construct(C, strs, new.target === W ? C : new.target);
	};
	for (const key of ownKeys(C)) defineProperty(W, key, describe(C, key));
	const d = describe(C.prototype, "constructor");
	d.value = W;
	defineProperty(C.prototype, "constructor", d);
	return W;
}
const F = guard(FunctionOrig);
defineProperty(globalThis, "Function", {value: F, writable: true, enumerable: false, configurable: true});
setProto(F, getProto(FunctionOrig));
for (const C of [getProto(async function () {}).constructor, getProto(function* () {}).constructor]) {
	const W = guard(C);
	setProto(W, getProto(C) === FunctionOrig ? F : getProto(C));
}
})`

// installEvalGuard replaces eval and the Function constructors; see
// evalGuardSource. Source nested deeper than MaxSourceDepth is a
// SyntaxError the script can catch.
func (e *Engine) installEvalGuard() error {
	prg, err := goja.Compile("<native>", evalGuardSource, true)
	if err != nil {
		return fmt.Errorf("js: compiling the eval guard: %w", err)
	}
	v, err := e.vm.RunProgram(prg)
	if err != nil {
		return fmt.Errorf("js: installing the eval guard: %w", err)
	}
	install, ok := goja.AssertFunction(v)
	if !ok {
		return fmt.Errorf("js: installing the eval guard: not a function")
	}
	check := e.vm.ToValue(func(src string) {
		if de := checkDepth(src); de != nil {
			panic(e.syntaxErrorValue(fmt.Sprintf("%s, at line %d, column %d", de.message(), de.Line, de.Column)))
		}
	})
	if _, err := install(goja.Undefined(), check); err != nil {
		return fmt.Errorf("js: installing the eval guard: %w", err)
	}
	return nil
}
