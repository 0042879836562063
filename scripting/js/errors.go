package js

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// throw panics with err as a JavaScript Error; bindings use it to throw.
func (e *Engine) throw(err error) {
	panic(e.errorValue(err, nil))
}

// errorValue makes an Error object for err with plugin, method and code
// properties. With site (the stack where an async call was made) the
// object's stack is that of the call site.
func (e *Engine) errorValue(err error, site []goja.StackFrame) *goja.Object {
	se := scripting.NewError("", "", err)
	obj, jerr := e.vm.New(e.errorCtor, e.vm.ToValue(se.Error()))
	if jerr != nil {
		obj = e.vm.NewGoError(err)
	}
	_ = obj.Set("plugin", se.Plugin)
	_ = obj.Set("method", se.Method)
	_ = obj.Set("code", se.Code)
	_ = obj.DefineDataPropertySymbol(e.goErr, e.vm.ToValue(se), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	if site != nil {
		var b strings.Builder
		b.WriteString("Error: " + se.Error())
		for i := range site {
			if isNative(&site[i]) {
				continue
			}
			b.WriteString("\n    at ")
			var fb strings.Builder
			writeFrame(&fb, &site[i])
			b.WriteString(fb.String())
		}
		_ = obj.Set("stack", b.String())
	}
	return obj
}

// writeFrame writes one frame of the script's. Callers leave out the
// native frames (isNative): their names are Go's, such as
// github.com/.../js.(*Engine).jsCall-fm, which say nothing to a script's
// author.
func writeFrame(b *strings.Builder, f *goja.StackFrame) {
	pos := f.Position()
	name := f.FuncName()
	loc := fmt.Sprintf("%s:%d:%d", pos.Filename, pos.Line, pos.Column)
	if name == "" || name == "<anonymous>" {
		b.WriteString(loc)
		return
	}
	b.WriteString(name + " (" + loc + ")")
}

// goError returns the Go error behind a thrown value, if it is one of ours.
func (e *Engine) goError(v goja.Value) error {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	if x := obj.GetSymbol(e.goErr); x != nil {
		if err, ok := x.Export().(error); ok {
			return err
		}
	}
	return nil
}

// scriptError describes an error that escaped the script.
func (e *Engine) scriptError(err error) *scripting.ScriptError {
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return e.stackOverflow(so)
	}
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		var ce *goja.CompilerSyntaxError
		if errors.As(err, &ce) {
			return syntaxError("", err)
		}
		return &scripting.ScriptError{Message: err.Error(), Err: err}
	}
	se := &scripting.ScriptError{Message: "Uncaught " + e.valueText(ex.Value()), Err: e.goError(ex.Value())}
	for _, f := range ex.Stack() {
		if !isNative(&f) && f.Position().Line > 0 {
			se.File, se.Line = f.Position().Filename, f.Position().Line
			break
		}
	}
	se.Stack = stackText(ex.Stack(), len(ex.Stack()))
	return se
}

// isNative reports whether f is a frame of a Go function, or one of a
// bundle's lines that no source file of the script's wrote (esbuild's
// helpers, see bundleSuffix): stacks leave them out.
func isNative(f *goja.StackFrame) bool {
	return f.SrcName() == "<native>" || hiddenFile(f.Position().Filename)
}

// stackText is up to n script frames of stack, one "    at ..." a line
// as Node writes them (spaces: a tab would be escaped where the host
// prints the error), without the native ones.
func stackText(stack []goja.StackFrame, n int) string {
	var b strings.Builder
	for i := range stack {
		if n == 0 {
			break
		}
		if isNative(&stack[i]) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("    at ")
		writeFrame(&b, &stack[i])
		n--
	}
	return b.String()
}

var (
	pcSuffixRE   = regexp.MustCompile(`(:\d+:\d+)\(\d+\)`)
	nativeLineRE = regexp.MustCompile(`(?m)^[ \t]*at (?:[^\n]* \(native\)|native)[ \t]*(?:\n|$)`)
)

// cleanStack removes from a stack text goja wrote (an Error's stack
// property) what only Go knows: the program counter it appends to each
// position ("x.js:1:27(4)") and the frames of Go functions.
func cleanStack(s string) string {
	s = pcSuffixRE.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, "\tat ", "    at ")
	s = dropBundleFrames(s)
	return strings.TrimRight(nativeLineRE.ReplaceAllString(s, ""), "\n")
}

// stackOverflow describes a recursion past MaxCallStack. goja raises it as
// an uncatchable exception, as it does an interrupt (dop251/goja's vm
// pushCtx panics with *StackOverflowError, which handleThrow passes by
// every catch and finally): the script cannot catch it, but it ends with
// the RangeError Node would have thrown, at the place of the call that
// went too deep, and the host goes on.
func (e *Engine) stackOverflow(so *goja.StackOverflowError) *scripting.ScriptError {
	se := &scripting.ScriptError{
		Message: fmt.Sprintf("Uncaught RangeError: Maximum call stack size exceeded (%d calls)", MaxCallStack),
		Err:     so,
	}
	stack := so.Stack()
	for _, f := range stack {
		if !isNative(&f) && f.Position().Line > 0 {
			se.File, se.Line = f.Position().Filename, f.Position().Line
			break
		}
	}
	se.Stack = stackText(stack, 10)
	return se
}

// rejectionError describes a promise rejection nobody handled.
func (e *Engine) rejectionError(reason goja.Value) *scripting.ScriptError {
	se := &scripting.ScriptError{Message: "Uncaught (in promise) " + e.valueText(reason), Err: e.goError(reason)}
	if obj, ok := reason.(*goja.Object); ok {
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) {
			stack := cleanStack(st.String())
			if i := strings.Index(stack, "\n"); i >= 0 {
				se.Stack = stack[i+1:]
			}
			se.File, se.Line = firstLocation(se.Stack)
		}
	}
	return se
}

// valueText is how a thrown value reads in a message: an Error as
// "Name: message", another object as the REPL shows it ({ x: 1 }, not
// [object Object]), a primitive as its string.
func (e *Engine) valueText(v goja.Value) string {
	if v == nil {
		return "undefined"
	}
	if obj, ok := v.(*goja.Object); ok && obj.ClassName() != "Error" {
		return e.Inspect(obj)
	}
	return v.String()
}

var frameRE = regexp.MustCompile(`at (?:[^\n(]*\()?([^\n()]+):(\d+):\d+`)

// firstLocation finds the first file:line in a goja stack text.
func firstLocation(stack string) (string, int) {
	for _, m := range frameRE.FindAllStringSubmatch(stack, -1) {
		if line, err := strconv.Atoi(m[2]); err == nil && line > 0 {
			return m[1], line
		}
	}
	return "", 0
}

var syntaxRE = regexp.MustCompile(`Line (\d+):\d+ (.*)`)

// syntaxError turns a compile error into a ScriptError at its line.
func syntaxError(file string, err error) *scripting.ScriptError {
	se := &scripting.ScriptError{File: file, Message: err.Error(), Err: err}
	if m := syntaxRE.FindStringSubmatch(err.Error()); m != nil {
		se.Line, _ = strconv.Atoi(m[1])
		se.Message = "SyntaxError: " + m[2]
	}
	return se
}

// trackRejection keeps the promises rejected without a handler.
func (e *Engine) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		e.rejected = append(e.rejected, p)
	case goja.PromiseRejectionHandle:
		e.forget(p)
	}
}

// forget stops tracking p as unhandled.
func (e *Engine) forget(p *goja.Promise) {
	for i, q := range e.rejected {
		if q == p {
			e.rejected = append(e.rejected[:i:i], e.rejected[i+1:]...)
			return
		}
	}
}

// checkRejections ends the run if a promise was rejected and is still
// without a handler once the stack has unwound.
func (e *Engine) checkRejections() {
	if len(e.rejected) == 0 || !e.running() {
		e.rejected = nil
		return
	}
	p := e.rejected[0]
	e.rejected = nil
	e.fail(e.rejectionError(p.Result()))
}
