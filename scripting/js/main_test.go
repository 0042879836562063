package js_test

import (
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

func TestMain(m *testing.M) { scripttest.Main(m) }
