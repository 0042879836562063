package scripting_test

import (
	"context"
	"fmt"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/js"
	"github.com/switchboard-rpc/switchboard/scripting/lua"
)

// Both engines share a Runtime; Eval returns a REPL entry's value as
// indented JSON. (A host passes its socket instead of nil.)
func Example() {
	rt := scripting.New(nil, scripting.Config{})
	defer rt.Close()
	ctx := context.Background()

	jsEngine, _ := js.New(rt)
	defer jsEngine.Close()
	out, _ := jsEngine.Eval(ctx, `({sum: [1, 2, 3].reduce((a, b) => a + b), ok: true})`)
	fmt.Println(out)

	luaEngine, _ := lua.New(rt)
	defer luaEngine.Close()
	out, _ = luaEngine.Eval(ctx, `json.decode('[1, 2]'), {n = 3}`)
	fmt.Println(out)
	fmt.Println(luaEngine.Incomplete("function f()"), jsEngine.Incomplete("if (x) {"))
	// Output:
	// { sum: 6, ok: true }
	// { 1, 2 }
	// { n = 3 }
	// true true
}
