package cli

import (
	"fmt"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/js"
	"github.com/switchboard-rpc/switchboard/scripting/lua"
)

// newLangEngine returns the engine of lang ("js" or "lua") over rt.
func newLangEngine(lang string, rt *scripting.Runtime) (scripting.Engine, error) {
	switch lang {
	case "js":
		return js.New(rt)
	case "lua":
		return lua.New(rt)
	}
	return nil, fmt.Errorf("unknown language %q", lang)
}
