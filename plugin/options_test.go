package plugin_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestOptionsAreValidated(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  plugin.Option
	}{
		{"nil option", nil},
		{"nil logger", plugin.WithLogger(nil)},
		{"zero write timeout", plugin.WithWriteTimeout(0)},
		{"negative write timeout", plugin.WithWriteTimeout(-1)},
		{"nil context key", plugin.WithContextKey(nil)},
		{"uncomparable context key", plugin.WithContextKey([]string{"k"})},
		{"no inline method", plugin.WithNATSInline()},
		{"empty inline method", plugin.WithNATSInline("Echo", "")},
	} {
		p, err := plugin.New(plugin.WithToken("t"), tc.opt)
		if p != nil || !errors.Is(err, plugin.ErrInvalidOption) {
			t.Errorf("%s: New = %v, %v; want an error wrapping ErrInvalidOption", tc.name, p, err)
		}
		// One vocabulary: the socket's options fail the same way.
		if !errors.Is(err, socket.ErrInvalidOption) {
			t.Errorf("%s: %v is not socket.ErrInvalidOption", tc.name, err)
		}
	}
	if _, err := plugin.New(plugin.WithToken(""), plugin.WithContextKey(traceKey{}), plugin.WithNATSInline("Echo")); err != nil {
		t.Errorf("valid options refused: %v", err)
	}
}

type otherKey struct{}

// keys reports what a method's context holds under both test keys.
type keys struct{}

func (keys) Keys(ctx context.Context, _ int) (string, error) {
	under := func(key any) string {
		if s, ok := ctx.Value(key).(string); ok {
			return s
		}
		return "-"
	}
	return fmt.Sprintf("%s,%s,%s", under(traceKey{}), under(otherKey{}), plugin.Trace(ctx)), nil
}

func TestContextKeyOption(t *testing.T) {
	for _, tc := range []struct {
		name     string
		startKey any
		opts     []plugin.Option
		want     string
	}{
		{"option only", nil, []plugin.Option{plugin.WithContextKey(otherKey{})}, `"-,tr,tr"`},
		{"Start's key wins", traceKey{}, []plugin.Option{plugin.WithContextKey(otherKey{})}, `"tr,-,tr"`},
		{"neither", nil, nil, `"-,-,tr"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _, _ := startRawKey(t, keys{}, &plugin.Info{Name: "keys"}, tc.startKey, tc.opts...)
			r.send(rawEnv{Seq: 1, Trace: "tr", Method: "Keys", Payload: []byte("0")})
			if e := r.recv(); string(e.Payload) != tc.want || e.Error != "" {
				t.Fatalf("Keys answer %+v (%s), want %s", e, e.Payload, tc.want)
			}
		})
	}
}
