package js

import (
	"context"
	"strconv"
	"testing"

	"github.com/dop251/goja"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// BenchmarkConvert is what a call() does besides the I/O, from a script
// loop: the call of a binding with the argument object (built once, as
// the Go baseline builds its map once), its conversion to JSON, the
// options, and the result built from JSON. "x-go" is its time
// over Go Call's own conversions for the same number of calls
// (scripttest.GoConvert), measured in the same run.
//
//	go test -run '^$' -bench Convert -benchmem ./scripting/js/
func BenchmarkConvert(b *testing.B) {
	e := newConverter(b)
	result := scripttest.ConvertResult()
	err := e.vm.Set("convert", func(c goja.FunctionCall) goja.Value {
		name, method := e.str(c, 0, "plugin"), e.str(c, 1, "method")
		_, _ = e.callArgs(c, 2, name, method)
		return e.fromJSON(result)
	})
	if err != nil {
		b.Fatal(err)
	}
	src := `(() => {
	const arg = {a: 1, b: "two", c: [true, null]}
	for (let i = 0; i < ` + strconv.Itoa(b.N) + `; i++) convert("p0", "Echo", arg)
})()`
	scripttest.BenchConvert(b, func() error {
		_, err := e.Eval(context.Background(), src)
		return err
	})
}
