package system_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

// A process stuck in its handler is described all the same: running in
// receive, for as long as it has been stuck (virtual time), with what is
// queued behind it, and without a message reaching it.
func TestInspectStuckProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New()
		entered, release := make(chan struct{}), make(chan struct{})
		var got []any
		pid, err := sys.Spawn(actor.Func(func(_ actor.Context, msg any) {
			got = append(got, msg)
			if msg == "block" {
				close(entered)
				<-release
			}
		}), actor.WithName("stuck"), actor.WithMailbox(8, mailbox.DropNewest))
		require.NoError(t, err)
		require.NoError(t, sys.Send(pid, "block"))
		<-entered
		for i := range 3 {
			require.NoError(t, sys.Send(pid, i))
		}

		first, err := sys.Inspect(pid)
		require.NoError(t, err)
		require.Equal(t, pid, first.PID)
		require.Equal(t, "stuck", first.Name)
		require.Equal(t, []string{"stuck"}, first.Names)
		require.Equal(t, system.Running, first.State)
		require.Equal(t, "receive", first.Callback)
		require.Equal(t, time.Duration(0), first.RunningFor, "first sight")
		require.Equal(t, 3, first.MailboxLen)
		require.Equal(t, 8, first.MailboxCap)
		require.Equal(t, mailbox.DropNewest, first.MailboxPolicy)
		require.Equal(t, uint64(1), first.Received, "the message being handled is counted")

		<-time.After(3 * time.Second) // virtual time passes; the handler stays stuck
		later, err := sys.Inspect(pid)
		require.NoError(t, err)
		require.Equal(t, 3*time.Second, later.RunningFor)
		require.Equal(t, 3, later.MailboxLen)

		snap := sys.Snapshot()
		info, ok := snap.Find(pid)
		require.True(t, ok)
		require.Equal(t, 3*time.Second, info.RunningFor, "Snapshot shares the sightings")

		close(release)
		synctest.Wait()
		idle, err := sys.Inspect(pid)
		require.NoError(t, err)
		require.Equal(t, system.Idle, idle.State)
		require.Empty(t, idle.Callback)
		require.Zero(t, idle.RunningFor)
		require.Equal(t, uint64(4), idle.Received)
		require.Equal(t, []any{"block", 0, 1, 2}, got, "inspection sent the process nothing")
		require.NoError(t, sys.Shutdown(context.Background()))
	})
}

// Links, monitors in both directions, trap_exit and the parent are read
// from the runtime's tables.
func TestInspectLinksAndMonitors(t *testing.T) {
	sys := newSystem(t)
	type ids struct{ child, watched actor.PID }
	done := make(chan ids, 1)
	parent, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if msg != "go" {
			return
		}
		ctx.TrapExit(true)
		child, err := ctx.SpawnLink(actor.Func(func(actor.Context, any) {}))
		if err != nil {
			panic(err)
		}
		watched, err := ctx.Spawn(actor.Func(func(actor.Context, any) {}))
		if err != nil {
			panic(err)
		}
		if _, err := ctx.Monitor(watched); err != nil {
			panic(err)
		}
		done <- ids{child, watched}
	}))
	require.NoError(t, err)
	require.NoError(t, sys.Send(parent, "go"))
	got := take(t, done)
	ext, err := sys.Monitor(got.watched)
	require.NoError(t, err)
	defer ext.Demonitor()

	p, err := sys.Inspect(parent)
	require.NoError(t, err)
	require.True(t, p.TrapExit)
	require.Equal(t, []actor.PID{got.child}, p.Links)
	require.Equal(t, []actor.PID{got.watched}, p.Monitors)
	require.True(t, p.Parent.IsZero())

	c, err := sys.Inspect(got.child)
	require.NoError(t, err)
	require.Equal(t, parent, c.Parent)
	require.Equal(t, []actor.PID{parent}, c.Links)
	require.False(t, c.TrapExit)

	w, err := sys.Inspect(got.watched)
	require.NoError(t, err)
	require.Equal(t, []actor.PID{parent}, w.MonitoredBy)
	require.Equal(t, 1, w.ExternalMonitors)
	require.Empty(t, w.Links)
}

type described struct{ v any }

func (d described) Describe() any {
	if err, ok := d.v.(error); ok {
		panic(err)
	}
	return d.v
}

// What a process publishes with SetDescriber is shown; a Describer that
// panics is shown as the panic, and the inspector goes on.
func TestInspectDescription(t *testing.T) {
	sys := newSystem(t)
	ready := make(chan struct{})
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		ctx.SetDescriber(msg.(actor.Describer))
		ready <- struct{}{}
	}))
	require.NoError(t, err)

	require.NoError(t, sys.Send(pid, described{v: "pool of 4"}))
	take(t, ready)
	info, err := sys.Inspect(pid)
	require.NoError(t, err)
	require.Equal(t, "pool of 4", info.Description)

	require.NoError(t, sys.Send(pid, described{v: errors.New("broken describer")}))
	take(t, ready)
	info, err = sys.Inspect(pid)
	require.NoError(t, err)
	var pe *actor.PanicError
	require.ErrorAs(t, info.Description.(error), &pe)

	require.NoError(t, sys.Send(pid, actor.DescriberFunc(func() any { return 7 })))
	take(t, ready)
	snap := sys.Snapshot()
	got, ok := snap.Find(pid)
	require.True(t, ok)
	require.Equal(t, 7, got.Description)
}

func TestInspectBadInput(t *testing.T) {
	sys := system.New()
	other := system.New()
	pid := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
	foreign := spawn(t, other, actor.Func(func(actor.Context, any) {}))
	require.NoError(t, other.Shutdown(context.Background()))

	_, err := sys.Inspect(actor.PID{})
	require.ErrorIs(t, err, actor.ErrZeroPID)
	_, err = sys.Inspect(foreign)
	require.ErrorIs(t, err, actor.ErrForeignPID)
	_, err = sys.Inspect(actor.NewPID(foreign.System(), 1<<40))
	require.Error(t, err)

	mon, err := sys.Monitor(pid)
	require.NoError(t, err)
	require.NoError(t, sys.Kill(pid))
	_, err = mon.Wait(context.Background())
	require.NoError(t, err)
	_, err = sys.Inspect(pid)
	require.ErrorIs(t, err, actor.ErrNoProcess)

	require.NoError(t, sys.Shutdown(context.Background()))
	snap := sys.Snapshot()
	require.Empty(t, snap.Processes, "after Shutdown")
	require.Equal(t, 0, snap.Stats.Processes)
}

// A snapshot of 100,000 processes takes well under a second (BenchmarkSnapshot100k
// measures it; the race detector makes it about ten times slower), and sees
// every one of them.
func TestSnapshotOf100kProcesses(t *testing.T) {
	sys := newSystem(t)
	const n = 100_000
	for range n {
		spawn(t, sys, actor.Func(func(actor.Context, any) {}))
	}
	start := time.Now()
	snap := sys.Snapshot()
	took := time.Since(start)
	require.Len(t, snap.Processes, n)
	for i := 1; i < len(snap.Processes); i++ {
		require.Less(t, snap.Processes[i-1].PID.ID(), snap.Processes[i].PID.ID(), "in PID order")
	}
	t.Logf("snapshot of %d processes: %v", n, took)
	require.Less(t, took, slowdown*time.Second)
}

func BenchmarkSnapshot100k(b *testing.B) {
	sys := newSystem(b)
	for range 100_000 {
		if _, err := sys.Spawn(actor.Func(func(actor.Context, any) {})); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if n := len(sys.Snapshot().Processes); n != 100_000 {
			b.Fatalf("snapshot has %d processes", n)
		}
	}
}
