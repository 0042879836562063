package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// floodPlugin is the program "flood" of the tests: a plugin named flood
// whose Emit(n) sends 1..n as async values as fast as it can, then
// answers n.
func floodPlugin() {
	if err := plugin.Serve(flooder{}, &plugin.Info{Name: "flood", Version: "1.0"}); err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

type flooder struct{}

// Emit sends 1..n, then returns n.
func (flooder) Emit(ctx context.Context, n int) (int, error) {
	for i := 1; i <= n; i++ {
		if err := plugin.Notify(ctx, i); err != nil {
			return i, err
		}
	}
	return n, nil
}
