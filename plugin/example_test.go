package plugin_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-rpc/switchboard/plugin"
)

type Shout struct{}

func (*Shout) Loud(_ context.Context, s string) (string, error) {
	return strings.ToUpper(s) + "!", nil
}

// TypeDescription is what a plugin's handshake tells scripts about a type.
func ExampleTypeDescription() {
	type Order struct {
		ID    string   `json:"id"`
		Items []string `json:"items,omitempty"`
		Note  string   `json:"-"`
	}
	d := plugin.TypeDescription(Order{})
	fmt.Println(d.Type)
	for _, f := range d.Fields {
		fmt.Println(f.Name, f.Type, "mandatory:", f.Mandatory)
	}
	// Output:
	// struct
	// id string mandatory: true
	// items []string mandatory: false
}

// Start refuses a receiver it cannot serve, with a hint.
func ExamplePlugin_Start() {
	var p plugin.Plugin // the zero Plugin serves with the defaults
	err := p.Start(Shout{}, &plugin.Info{Name: "shout"}, nil, nil)
	fmt.Println(err)
	// Output:
	// plugin: no methods to serve: plugin_test.Shout has no exported method of the form func (t *T) Name(ctx context.Context, in T1) (T2, error) (hint: *Shout has 1; pass a pointer)
}
