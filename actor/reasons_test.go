package actor_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
)

func TestCleanReasons(t *testing.T) {
	wrapped := fmt.Errorf("done: %w", actor.Normal)
	for _, tc := range []struct {
		name            string
		reason          error
		normal, cleanly bool
	}{
		{"nil", nil, false, false},
		{"Normal", actor.Normal, true, true},
		{"Shutdown", actor.Shutdown, false, true},
		{"wrapped Normal", wrapped, true, true},
		{"wrapped Shutdown", fmt.Errorf("stop: %w", actor.Shutdown), false, true},
		{"joined", errors.Join(errors.New("x"), actor.Shutdown), false, true},
		{"Killed", actor.Killed, false, false},
		{"other", errors.New("boom"), false, false},
		// A panic is never clean, whatever its value wraps.
		{"panic(Normal)", actor.NewPanicError(actor.PID{}, actor.Normal), false, false},
		{"panic(wrapped Normal)", actor.NewPanicError(actor.PID{}, wrapped), false, false},
		{"panic(Shutdown)", actor.NewPanicError(actor.PID{}, actor.Shutdown), false, false},
		{"wrapped panic", fmt.Errorf("ctx: %w", actor.NewPanicError(actor.PID{}, actor.Normal)), false, false},
		{"joined panic", errors.Join(actor.NewPanicError(actor.PID{}, actor.Shutdown)), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.normal, actor.IsNormal(tc.reason), "IsNormal")
			require.Equal(t, tc.cleanly, actor.IsClean(tc.reason), "IsClean")
		})
	}
}

// The panic's value stays reachable for errors.Is and errors.As.
func TestPanicValueStaysReachable(t *testing.T) {
	boom := errors.New("boom")
	pe := actor.NewPanicError(actor.PID{}, fmt.Errorf("w: %w", actor.Normal))
	require.ErrorIs(t, pe, actor.Normal)
	require.ErrorIs(t, actor.NewPanicError(actor.PID{}, boom), boom)
	var got *actor.PanicError
	require.ErrorAs(t, fmt.Errorf("outer: %w", pe), &got)
	require.Same(t, pe, got)
}
