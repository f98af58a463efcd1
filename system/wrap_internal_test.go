package system

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
)

// After 65,535 systems the 16-bit system number wraps and a new system
// takes an old one's number. A PID of the old system must then never reach
// a process of the new one: systems sharing a number share the counter
// their process numbers come from.
func TestSystemNumberWrapDeliversNothingToTheWrongProcess(t *testing.T) {
	got := make(chan any, 1)
	echo := actor.Func(func(_ actor.Context, msg any) { got <- msg })

	n := systems.Load()
	systems.Store(n - 1)
	older := New()
	defer older.Shutdown(context.Background())
	oldPID, err := older.Spawn(echo)
	require.NoError(t, err)

	systems.Store(n - 1) // as if 65,536 systems had been made since
	newer := New()
	defer newer.Shutdown(context.Background())
	require.Equal(t, older.num, newer.num)
	newPID, err := newer.Spawn(echo)
	require.NoError(t, err)
	require.NotEqual(t, oldPID, newPID, "no PID is issued twice")

	require.ErrorIs(t, newer.Send(oldPID, "misrouted"), actor.ErrNoProcess)
	require.Empty(t, got)
	systems.Store(n)
}
