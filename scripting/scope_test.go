package scripting_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// TestCancelCallsKeepsTheRunGoing: CancelCalls ends the calls' context of a
// running scope, and of one made later, but not the run's; Close of the
// scope ends both.
func TestCancelCallsKeepsTheRunGoing(t *testing.T) {
	rt := scripting.New(nil, scripting.Config{})
	defer rt.Close()
	s := rt.NewScope(context.Background())
	if s.Interrupted() || s.Err() != nil {
		t.Fatalf("a new scope is interrupted (%v)", s.Err())
	}
	rt.CancelCalls()
	<-s.Context().Done()
	if s.RunContext().Err() != nil {
		t.Error("CancelCalls ended the run")
	}
	if !s.Interrupted() || !errors.Is(s.Err(), context.Canceled) || s.Ended() {
		t.Errorf("after CancelCalls: interrupted %v, err %v, ended %v", s.Interrupted(), s.Err(), s.Ended())
	}
	later := rt.NewScope(context.Background())
	if later.Context().Err() == nil || later.RunContext().Err() != nil {
		t.Error("a scope made after CancelCalls does not start with its calls cancelled")
	}
	later.Close()
	s.Fail(errors.New("boom"))
	if s.RunContext().Err() == nil || s.Interrupted() {
		t.Error("Fail did not end the run")
	}
	s.Close()
}
