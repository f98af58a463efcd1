package system_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

func TestStatsCountDeadLettersByReason(t *testing.T) {
	sys := system.New()
	var want system.Stats

	// DropNewest: one refused.
	started, release, got1 := make(chan struct{}), make(chan struct{}), make(chan any, 4)
	full, err := sys.Spawn(blocker(started, release, got1), actor.WithMailbox(1, mailbox.DropNewest))
	require.NoError(t, err)
	require.NoError(t, sys.Send(full, 0))
	<-started
	require.NoError(t, sys.Send(full, 1))
	require.ErrorIs(t, sys.Send(full, 2), actor.ErrMailboxFull)
	want.DeadLettersBy[system.DeadMailboxFull]++

	// DropOldest: two pushed out.
	started2, release2, got2 := make(chan struct{}), make(chan struct{}), make(chan any, 4)
	oldest, err := sys.Spawn(blocker(started2, release2, got2), actor.WithMailbox(1, mailbox.DropOldest))
	require.NoError(t, err)
	require.NoError(t, sys.Send(oldest, 0))
	<-started2
	for i := 1; i <= 3; i++ {
		require.NoError(t, sys.Send(oldest, i))
	}
	want.DeadLettersBy[system.DeadDroppedOldest] += 2

	// A dead target.
	dead := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
	require.NoError(t, sys.Stop(context.Background(), dead))
	require.ErrorIs(t, sys.Send(dead, "late"), actor.ErrNoProcess)
	want.DeadLettersBy[system.DeadNoProcess]++

	// A nil context.
	require.ErrorIs(t, sys.SendContext(nil, full, "x"), actor.ErrNilContext) //nolint:staticcheck // the nil context is the point
	want.DeadLettersBy[system.DeadOther]++

	close(release)
	close(release2)
	for _, want := range []int{0, 1} {
		require.Equal(t, want, take(t, got1))
	}
	for _, want := range []int{0, 3} {
		require.Equal(t, want, take(t, got2))
	}
	require.NoError(t, sys.Shutdown(context.Background()))
	require.ErrorIs(t, sys.Send(full, "after"), actor.ErrStopped)
	want.DeadLettersBy[system.DeadStopped]++

	got := sys.Stats()
	require.Equal(t, want.DeadLettersBy, got.DeadLettersBy)
	var sum uint64
	for _, r := range system.DeadLetterReasons() {
		sum += got.DeadLettersBy[r]
	}
	require.Equal(t, sum, got.DeadLetters)
	require.Equal(t, sum, sys.DeadLetters())
	require.Zero(t, got.Processes)
}

func TestDeadLetterReasonNames(t *testing.T) {
	names := map[string]bool{}
	for _, r := range system.DeadLetterReasons() {
		names[r.String()] = true
	}
	require.Equal(t, map[string]bool{
		"no_process": true, "mailbox_full": true, "dropped_oldest": true,
		"stopped": true, "no_request": true, "other": true,
	}, names)
	require.Equal(t, "other", system.DeadLetterReason(200).String())
}
