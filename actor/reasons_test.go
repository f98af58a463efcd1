package actor_test

import (
	"errors"
	"fmt"
	"strings"
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

func panicDeep(depth int) (pe *actor.PanicError) {
	if depth > 0 {
		return panicDeep(depth - 1)
	}
	defer func() { pe = actor.NewPanicError(actor.PID{}, recover()) }()
	panic("deep")
}

func TestPanicErrorStack(t *testing.T) {
	pe := panicDeep(0)
	stack := string(pe.Stack())
	require.Contains(t, stack, "actor_test.panicDeep", "the stack names the function that panicked")
	require.Contains(t, stack, "reasons_test.go:", "each frame names its file and line")
	require.NotContains(t, stack, "actor.NewPanicError", "the recorder's own frame is left out")
	require.Equal(t, stack, string(pe.Stack()), "the stack is the same on every call")

	deep := string(panicDeep(200).Stack())
	require.Equal(t, 201, strings.Count(deep, "actor_test.panicDeep\n"), "a deep stack is kept whole")

	require.Equal(t, pe.Error(), fmt.Sprintf("%v", pe))
	require.Equal(t, pe.Error(), fmt.Sprintf("%s", pe))
	require.Equal(t, fmt.Sprintf("%q", pe.Error()), fmt.Sprintf("%q", pe))
	require.Equal(t, pe.Error()+"\n"+stack, fmt.Sprintf("%+v", pe))
	require.Equal(t, "ctx: "+pe.Error(), fmt.Errorf("ctx: %w", pe).Error())

	require.Empty(t, (&actor.PanicError{Value: "made by hand"}).Stack())
}

// A panic records its stack without formatting it: the error and its
// program counters, nothing more.
func TestPanicErrorRecordsWithoutFormatting(t *testing.T) {
	var pe *actor.PanicError
	allocs := testing.AllocsPerRun(100, func() { pe = panicDeep(0) })
	require.LessOrEqual(t, allocs, 2.0, "NewPanicError allocates the error and its program counters only")
	require.NotEmpty(t, pe.Stack())
}
