package soak

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func heapNow() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func waitCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// A million idle actors (20,000 in the short version) are spawned, hold no
// goroutine, each handle one message when woken, and are shut down; the
// heap returns near its baseline. Time and memory are reported.
func TestSoakIdleActors(t *testing.T) {
	n := 20_000
	if long() {
		n = 1_000_000
	}
	h0, g0 := heapNow(), runtime.NumGoroutine()
	func() {
		sys := system.New()
		var handled atomic.Int64
		all := make(chan struct{})
		idle := actor.Func(func(actor.Context, any) {
			if handled.Add(1) == int64(n) {
				close(all)
			}
		})
		pids := make([]actor.PID, n)
		t0 := time.Now()
		for i := range pids {
			var err error
			pids[i], err = sys.Spawn(idle)
			require.NoError(t, err)
		}
		spawned := time.Since(t0)
		h1 := heapNow()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		goroutines := runtime.NumGoroutine() - g0
		require.Equal(t, n, sys.Processes())
		require.LessOrEqual(t, goroutines, 4*runtime.GOMAXPROCS(0), "idle actors hold no goroutine")

		t1 := time.Now()
		for _, pid := range pids {
			require.NoError(t, sys.Send(pid, struct{}{}))
		}
		select {
		case <-all:
		case <-waitCtx(t, 10*time.Minute).Done():
			require.FailNow(t, "not every actor handled its message", "%d of %d", handled.Load(), n)
		}
		woken := time.Since(t1)

		t2 := time.Now()
		require.NoError(t, sys.Shutdown(waitCtx(t, 10*time.Minute)))
		stopped := time.Since(t2)
		require.Zero(t, sys.Processes())
		t.Logf("%d idle actors: spawned in %v (%v each), %.0f bytes of heap each (heap %.1f MiB, memory from the OS %.1f MiB), "+
			"%d goroutines above baseline while idle; one message each handled in %v; shutdown in %v",
			n, spawned.Round(time.Millisecond), (spawned / time.Duration(n)).Round(time.Nanosecond),
			float64(h1-h0)/float64(n), mib(h1), mib(ms.Sys), goroutines, woken.Round(time.Millisecond), stopped.Round(time.Millisecond))
	}()
	goleak.VerifyNone(t)
	h2 := heapNow()
	t.Logf("heap: %.1f MiB before, %.1f MiB after shutdown", mib(h0), mib(h2))
	require.Less(t, h2, h0+32<<20, "heap did not return near its baseline")
}

type crashMsg struct{}

// crashable is a plain child that stops abnormally on crashMsg.
func crashable() actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) {
		if _, ok := msg.(crashMsg); ok {
			ctx.Stop(errCrash)
		}
	})
}

// A OneForOne supervisor with 100,000 children (2,000 in the short version)
// starts them all, restarts crashed ones at a cost that does not grow with
// the siblings (compared with a supervisor of 10), and stops them all in
// reverse order at shutdown.
func TestSoakWideSupervisor(t *testing.T) {
	n, crashes := 2_000, 20
	if long() {
		n, crashes = 100_000, 200
	}
	h0 := heapNow()
	func() {
		sys := system.New()
		sub := subscribeAll(sys, func(ev any) bool { _, ok := ev.(supervisor.ChildRestarted); return ok })
		defer sub.Close()
		spec := supervisor.Spec{Intensity: 10 * crashes, Period: time.Hour}
		build := func(n int) []supervisor.Child {
			kids := make([]supervisor.Child, n)
			for i := range kids {
				kids[i] = supervisor.Child{ID: fmt.Sprintf("c%d", i), Start: actor.PropsOf(crashable)}
			}
			return kids
		}
		// restarts crashes random children of sup one after the other
		// and returns the mean time from crash to ChildRestarted.
		restarts := func(sup actor.PID, count int) time.Duration {
			infos, err := supervisor.WhichChildren(waitCtx(t, time.Minute), sys, sup)
			require.NoError(t, err)
			var total time.Duration
			for i := range count {
				in := &infos[(i*7919)%len(infos)]
				t0 := time.Now()
				require.NoError(t, sys.Send(in.PID, crashMsg{}))
				for {
					ev, err := sub.Next(waitCtx(t, time.Minute))
					require.NoError(t, err, "waiting for the restart of %s", in.ID)
					if r := ev.(supervisor.ChildRestarted); r.Supervisor == sup && r.ID == in.ID {
						in.PID = r.PID
						break
					}
				}
				total += time.Since(t0)
			}
			return total / time.Duration(count)
		}

		small, err := sys.Spawn(supervisor.New(spec, build(10)...))
		require.NoError(t, err)
		smallRestart := restarts(small, crashes)

		t0 := time.Now()
		wide, err := sys.Spawn(supervisor.New(spec, build(n)...), actor.WithInitTimeout(30*time.Minute))
		require.NoError(t, err)
		started := time.Since(t0)
		h1 := heapNow()
		counts, err := supervisor.CountChildren(waitCtx(t, time.Minute), sys, wide)
		require.NoError(t, err)
		require.Equal(t, supervisor.Counts{Specs: n, Active: n, Workers: n}, counts)
		wideRestart := restarts(wide, crashes)
		counts, err = supervisor.CountChildren(waitCtx(t, time.Minute), sys, wide)
		require.NoError(t, err)
		require.Equal(t, n, counts.Active, "every crashed child is back")

		t1 := time.Now()
		require.NoError(t, sys.Shutdown(waitCtx(t, 30*time.Minute)))
		stopped := time.Since(t1)
		require.Zero(t, sys.Processes())
		t.Logf("supervisor of %d children: started in %v, %.0f bytes of heap per child; restart %v (with 10 siblings: %v); shutdown in %v",
			n, started.Round(time.Millisecond), float64(h1-h0)/float64(n), wideRestart.Round(time.Microsecond),
			smallRestart.Round(time.Microsecond), stopped.Round(time.Millisecond))
	}()
	goleak.VerifyNone(t)
	require.Less(t, heapNow(), h0+32<<20, "heap did not return near its baseline")
}

// A chain of 1,000 nested supervisors (100 in the short version), each
// allowing no restart, over one worker. The worker's crash escalates
// cleanly: every level gives up once, in order from the bottom, the top
// exits with *RestartLimitExceeded, and no process is left.
func TestSoakEscalationChain(t *testing.T) {
	depth := 100
	if long() {
		depth = 1_000
	}
	sys := system.New()
	defer func() { require.NoError(t, sys.Shutdown(waitCtx(t, time.Minute))) }()
	spec := supervisor.Spec{Intensity: supervisor.NoRestarts}
	var level func(i int) supervisor.Child
	level = func(i int) supervisor.Child {
		if i == depth {
			return supervisor.Child{ID: "worker", Start: actor.PropsOf(crashable, actor.WithName("bottom"))}
		}
		return supervisor.Child{ID: fmt.Sprintf("s%d", i), Kind: supervisor.Supervisor, StartTimeout: 30 * time.Minute,
			Start: actor.PropsOf(func() actor.Actor { return supervisor.New(spec, level(i+1)) }, actor.WithName(fmt.Sprintf("s%d", i)))}
	}
	sub := subscribeAll(sys, func(ev any) bool {
		switch ev.(type) {
		case supervisor.GaveUp, supervisor.ChildRestarted, actor.ProcessExited:
			return true
		}
		return false
	})
	defer sub.Close()

	t0 := time.Now()
	top, err := sys.Spawn(supervisor.New(spec, level(1)), actor.WithName("s0"), actor.WithInitTimeout(30*time.Minute))
	require.NoError(t, err)
	started := time.Since(t0)
	require.Equal(t, depth+1, sys.Processes(), "%d supervisors and the worker", depth)

	t1 := time.Now()
	require.NoError(t, sys.SendNamed("bottom", crashMsg{}))
	var gaveUp []string
	exits := 0
	var topReason error
	for topReason == nil {
		ev, err := sub.Next(waitCtx(t, 10*time.Minute))
		require.NoError(t, err, "escalation stalled after %d give-ups", len(gaveUp))
		switch e := ev.(type) {
		case supervisor.GaveUp:
			gaveUp = append(gaveUp, e.ID)
		case supervisor.ChildRestarted:
			require.FailNow(t, "a supervisor with no restarts allowed restarted", "%+v", e)
		case actor.ProcessExited:
			exits++
			if e.PID == top {
				topReason = e.Reason
			}
		}
	}
	escalated := time.Since(t1)
	var rle *supervisor.RestartLimitExceeded
	require.True(t, errors.As(topReason, &rle), "top exit reason %v", topReason)
	require.Equal(t, supervisor.RestartLimitExceeded{Intensity: 0, Period: supervisor.DefaultPeriod}, *rle)
	require.Len(t, gaveUp, depth, "one give-up per supervisor")
	require.Equal(t, "worker", gaveUp[0], "the bottom supervisor gives up on the worker first")
	for i, id := range gaveUp[1:] {
		require.Equal(t, fmt.Sprintf("s%d", depth-1-i), id, "give-up %d goes up the chain in order", i+1)
	}
	require.Equal(t, depth+1, exits, "every process exited once")
	require.Zero(t, sys.Processes())
	t.Logf("chain of %d supervisors: started in %v, escalated to the top in %v", depth, started.Round(time.Millisecond),
		escalated.Round(time.Millisecond))
}
