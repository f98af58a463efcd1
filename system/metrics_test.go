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

// counter is an actor whose kind is its Go type name.
type counter struct{}

func (counter) Receive(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }

// outcome is a published event the runtime counts as a supervision outcome.
type outcome actor.SupervisionOutcome

func (o outcome) SupervisionOutcome() actor.SupervisionOutcome { return actor.SupervisionOutcome(o) }

func kindOf(t *testing.T, st system.Stats, kind string) system.KindStats {
	t.Helper()
	for _, k := range st.Kinds {
		if k.Kind == kind {
			return k
		}
	}
	t.Fatalf("no kind %q in %+v", kind, st.Kinds)
	panic("unreachable")
}

// watch monitors pid; the function it returns waits for pid's exit and
// returns its reason.
func watch(t *testing.T, sys *system.System, pid actor.PID) func() error {
	t.Helper()
	mon, err := sys.Monitor(pid)
	require.NoError(t, err)
	return func() error { return take(t, mon.Down()).Reason }
}

func TestMetricsCountByKindAndClass(t *testing.T) {
	sys := system.New(system.WithMetrics(system.MetricsConfig{SampleEvery: 1}))
	ctx := context.Background()

	// Three echoes, five requests each, then stopped: 15 messages, 3
	// shutdowns.
	var echoes []actor.PID
	for range 3 {
		pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }), actor.WithKind("echo"))
		require.NoError(t, err)
		echoes = append(echoes, pid)
		for i := range 5 {
			r, err := sys.Request(ctx, pid, i)
			require.NoError(t, err)
			require.Equal(t, i, r)
		}
	}
	for _, pid := range echoes {
		require.NoError(t, sys.Stop(ctx, pid))
	}

	// One of each other class.
	typed := spawn(t, sys, counter{})
	crashy, err := sys.Spawn(actor.Func(func(actor.Context, any) { panic("boom") }), actor.WithKind("crashy"))
	require.NoError(t, err)
	down := watch(t, sys, crashy)
	require.NoError(t, sys.Send(crashy, "go"))
	var pe *actor.PanicError
	require.ErrorAs(t, down(), &pe)
	quitter, err := sys.Spawn(actor.Func(func(ctx actor.Context, _ any) { ctx.Stop(nil) }), actor.WithKind("quitter"))
	require.NoError(t, err)
	down = watch(t, sys, quitter)
	require.NoError(t, sys.Send(quitter, "go"))
	require.ErrorIs(t, down(), actor.Normal)
	victim, err := sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithKind("victim"))
	require.NoError(t, err)
	down = watch(t, sys, victim)
	require.NoError(t, sys.Kill(victim))
	require.ErrorIs(t, down(), actor.Killed)
	failed := errors.New("no database")
	_, err = sys.Spawn(&initActor{init: func(actor.Context) error { return failed }}, actor.WithKind("failing"))
	require.ErrorIs(t, err, failed)

	// Supervision outcomes published by a named process and by one known
	// by its kind alone.
	publish := func(ctx actor.Context, msg any) {
		for _, o := range msg.([]outcome) {
			ctx.Publish(o)
		}
		_ = ctx.Reply(nil)
	}
	named, err := sys.Spawn(actor.Func(publish), actor.WithName("db_sup"))
	require.NoError(t, err)
	_, err = sys.Request(ctx, named, []outcome{
		outcome(actor.SupervisionRestart), outcome(actor.SupervisionRestart),
		outcome(actor.SupervisionEscalation), outcome(actor.SupervisionOther),
	})
	require.NoError(t, err)
	anon, err := sys.Spawn(actor.Func(publish), actor.WithKind("pool_sup"))
	require.NoError(t, err)
	_, err = sys.Request(ctx, anon, []outcome{outcome(actor.SupervisionGiveUp)})
	require.NoError(t, err)

	// A mailbox half full behind a blocked handler.
	started, release := make(chan struct{}), make(chan struct{})
	full, err := sys.Spawn(blocker(started, release, nil), actor.WithKind("blocked"), actor.WithMailbox(4, mailbox.Backpressure))
	require.NoError(t, err)
	require.NoError(t, sys.Send(full, 0))
	<-started
	require.NoError(t, sys.Send(full, 1))
	require.NoError(t, sys.Send(full, 2))

	st := sys.Stats()
	require.True(t, st.Metrics)
	require.Equal(t, system.OtherKind, st.Kinds[0].Kind)

	echo := kindOf(t, st, "echo")
	require.Equal(t, 0, echo.Processes)
	require.Equal(t, uint64(3), echo.Spawned)
	require.Equal(t, [5]uint64{system.ExitShutdown: 3}, echo.Exited)
	require.Equal(t, uint64(15), echo.Delivered)
	require.GreaterOrEqual(t, echo.HandlerTime.Count, uint64(3), "with SampleEvery 1 every turn is sampled")
	require.LessOrEqual(t, echo.HandlerTime.Count, uint64(15))
	require.Len(t, echo.HandlerTime.Counts, len(system.HandlerTimeBounds)+1)

	c := kindOf(t, st, "system_test.counter")
	require.Equal(t, 1, c.Processes)
	require.Equal(t, uint64(1), c.MailboxFill.Counts[0], "an empty mailbox is in the first bucket")
	_ = typed

	for kind, class := range map[string]system.ExitClass{
		"crashy": system.ExitPanic, "quitter": system.ExitNormal, "victim": system.ExitKilled, "failing": system.ExitError,
	} {
		k := kindOf(t, st, kind)
		var want [5]uint64
		want[class] = 1
		require.Equal(t, want, k.Exited, kind)
		require.Equal(t, 0, k.Processes, kind)
	}
	require.Equal(t, uint64(1), kindOf(t, st, "crashy").Delivered)

	b := kindOf(t, st, "blocked")
	require.Equal(t, uint64(2), b.Queued)
	require.Equal(t, uint64(1), b.MailboxFill.Count)
	require.Equal(t, uint64(1), b.MailboxFill.Counts[3], "2 of 4 is in the bucket up to 0.5")
	require.InDelta(t, 0.5, b.MailboxFill.Sum, 1e-9)

	require.Equal(t, []system.SupervisorStats{
		{Supervisor: "db_sup", Restarts: 2, Escalations: 1},
		{Supervisor: "pool_sup", GiveUps: 1},
	}, st.Supervisors)

	var spawned, delivered uint64
	var exited [5]uint64
	for _, k := range st.Kinds {
		spawned += k.Spawned
		delivered += k.Delivered
		for i := range k.Exited {
			exited[i] += k.Exited[i]
		}
	}
	require.Equal(t, spawned, st.Spawned)
	require.Equal(t, delivered, st.Delivered)
	require.Equal(t, exited, st.Exited)
	require.Equal(t, uint64(3+1+1+1+1+1+2+1), st.Spawned)

	close(release)
	require.NoError(t, sys.Shutdown(ctx))
	after := sys.Stats()
	lost := after.DeadLettersBy[system.DeadNoProcess] - st.DeadLettersBy[system.DeadNoProcess]
	require.Equal(t, uint64(3), kindOf(t, after, "blocked").Delivered+lost,
		"each message to the blocked process was handled, or dropped as the shutdown overtook it")
	for _, k := range after.Kinds {
		require.Zero(t, k.Processes, k.Kind)
	}
}

func TestMetricsOffKeepsOnlyTheBaseCounters(t *testing.T) {
	sys := system.New()
	pid := spawn(t, sys, counter{})
	_, err := sys.Request(context.Background(), pid, 1)
	require.NoError(t, err)
	st := sys.Stats()
	require.False(t, st.Metrics)
	require.Nil(t, st.Kinds)
	require.Nil(t, st.Supervisors)
	require.Zero(t, st.Spawned)
	require.Equal(t, 1, st.Processes)
	require.NoError(t, sys.Shutdown(context.Background()))
}

func TestMetricsKindsAreBounded(t *testing.T) {
	sys := system.New(system.WithMetrics(system.MetricsConfig{}))
	names := make([]string, system.MaxKinds+10)
	for i := range names {
		names[i] = "k" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	for _, n := range names {
		pid, err := sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithKind(n))
		require.NoError(t, err)
		require.NoError(t, sys.Kill(pid))
	}
	st := sys.Stats()
	require.Len(t, st.Kinds, system.MaxKinds+1, "the kinds and OtherKind")
	require.Equal(t, uint64(10), st.Kinds[0].Spawned, "the kinds beyond MaxKinds are other")
	require.NoError(t, sys.Shutdown(context.Background()))
}

func TestWithKindRefusesEmpty(t *testing.T) {
	sys := newSystem(t)
	_, err := sys.Spawn(counter{}, actor.WithKind(""))
	require.ErrorIs(t, err, actor.ErrInvalidOption)
}

func TestClassifyExit(t *testing.T) {
	for _, tc := range []struct {
		reason error
		want   system.ExitClass
	}{
		{nil, system.ExitNormal},
		{actor.Normal, system.ExitNormal},
		{actor.Shutdown, system.ExitShutdown},
		{actor.Killed, system.ExitKilled},
		{actor.NewPanicError(actor.PID{}, actor.Shutdown), system.ExitPanic},
		{errors.New("x"), system.ExitError},
		{actor.NoProc, system.ExitError},
	} {
		t.Run(tc.want.String(), func(t *testing.T) {
			if got := system.ClassifyExit(tc.reason); got != tc.want {
				t.Errorf("ClassifyExit(%v) = %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
	require.Equal(t, "error", system.ExitClass(200).String())
}

// TestMetricsMailboxWait checks the sampled mailbox wait in virtual time: a
// turn that finds four messages of 10 ms each in the mailbox records 40 ms,
// what a message arriving then would wait, and a turn that finds only the
// message it is about to handle, which takes no time, records none.
func TestMetricsMailboxWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sys := system.New(system.WithMetrics(system.MetricsConfig{SampleEvery: 1}))
		defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
		started, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
		pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			switch msg {
			case "hold":
				started <- struct{}{}
				<-release
			case "work":
				time.Sleep(10 * time.Millisecond) // the handler's work, in virtual time
			case "last":
				close(done)
			}
		}), actor.WithKind("waiter"))
		require.NoError(t, err)
		require.NoError(t, sys.Send(pid, "hold"))
		<-started
		for range 3 {
			require.NoError(t, sys.Send(pid, "work"))
		}
		require.NoError(t, sys.Send(pid, "last"))
		close(release)
		<-done
		synctest.Wait()

		w := kindOf(t, sys.Stats(), "waiter").MailboxWait
		require.Len(t, w.Counts, len(system.MailboxWaitBounds)+1)
		require.Equal(t, uint64(2), w.Count, "two turns found a backlog: the first and the one after it")
		require.Equal(t, uint64(1), w.Counts[0], "nothing behind the hold: no wait")
		require.Equal(t, uint64(1), w.Counts[8], "30 ms is in the bucket above 16 ms and up to 64 ms")
		require.InDelta(t, 0.030, w.Sum, 1e-9)
	})
}
