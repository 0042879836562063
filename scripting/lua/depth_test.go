package lua_test

import (
	"strings"
	"testing"
)

// TestDeepSource: Lua source nested 300,000 levels deep, the depth at
// which goja's and esbuild's recursive parsers overflow the Go stack and
// end the host (see scripting/js/depth.go), is parsed without one:
// gopher-lua's parser is table-driven. The script file itself and a
// loadstring of such text both work, and the host goes on.
func TestDeepSource(t *testing.T) {
	deep := strings.Repeat("(", 300_000) + "1" + strings.Repeat(")", 300_000)
	expect(t, `local x = `+deep+`
print(x)
local f, err = loadstring("return " .. string.rep("(", 300000) .. "1" .. string.rep(")", 300000))
print(f(), err)
`+stillServing, "1\n1\tnil\nstill serving")
}
