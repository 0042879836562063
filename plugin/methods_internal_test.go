package plugin

import (
	"context"
	"testing"
)

type manyMethods struct{}

func (manyMethods) Zeta(context.Context, string) (string, error)  { return "z", nil }
func (manyMethods) Alpha(context.Context, string) (string, error) { return "a", nil }
func (manyMethods) Mid(context.Context, string) (string, error)   { return "m", nil }

func TestMethodSetFindsEveryMethodByName(t *testing.T) {
	methods, _, _, err := discover(manyMethods{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Alpha", "Mid", "Zeta"} {
		if m := methods.lookup(name); m == nil || m.name != name {
			t.Errorf("lookup(%q) = %v", name, m)
		}
	}
	for _, name := range []string{"", "alpha", "Beta", "Zz"} {
		if m := methods.lookup(name); m != nil {
			t.Errorf("lookup(%q) found %q", name, m.name)
		}
	}
}
