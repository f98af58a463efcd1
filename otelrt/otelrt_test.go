package otelrt_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/otelrt"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const waitLimit = 10 * time.Second

func take[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("nothing received within %v", waitLimit)
		panic("unreachable")
	}
}

// point is one data point: its instrument, attributes and value.
type point struct {
	kind  string // "counter", "gauge", "fcounter"
	value float64
}

// collect reads every data point of the otelrt scope, keyed by instrument
// name and attribute set.
func collect(t *testing.T, r *sdkmetric.ManualReader) map[string]map[attribute.Distinct]point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	out := map[string]map[attribute.Distinct]point{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelrt.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			pts := map[attribute.Distinct]point{}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				require.True(t, d.IsMonotonic, m.Name)
				require.Equal(t, metricdata.CumulativeTemporality, d.Temporality, m.Name)
				for _, p := range d.DataPoints {
					pts[p.Attributes.Equivalent()] = point{"counter", float64(p.Value)}
				}
			case metricdata.Sum[float64]:
				require.True(t, d.IsMonotonic, m.Name)
				for _, p := range d.DataPoints {
					pts[p.Attributes.Equivalent()] = point{"fcounter", p.Value}
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					pts[p.Attributes.Equivalent()] = point{"gauge", float64(p.Value)}
				}
			default:
				t.Fatalf("%s: unexpected data %T", m.Name, m.Data)
			}
			out[m.Name] = pts
		}
	}
	return out
}

func series(pts map[string]map[attribute.Distinct]point) int {
	n := 0
	for _, p := range pts {
		n += len(p)
	}
	return n
}

func get(t *testing.T, pts map[string]map[attribute.Distinct]point, name, kind string, kv ...attribute.KeyValue) float64 {
	t.Helper()
	ps, ok := pts[name]
	require.True(t, ok, "no instrument %s", name)
	set := attribute.NewSet(kv...)
	p, ok := ps[set.Equivalent()]
	require.True(t, ok, "%s has no point %v", name, kv)
	require.Equal(t, kind, p.kind, name)
	return p.value
}

// crasher panics on "crash" and answers anything else.
func crasher() actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) {
		if msg == "crash" {
			panic("crash")
		}
		_ = ctx.Reply(msg)
	})
}

// crashTwice spawns a supervisor named name of one crasher child with room
// for one restart, crashes the child twice and waits for the supervisor to
// give up; it returns the supervisor's exit reason.
func crashTwice(t *testing.T, sys *system.System, name string, esc supervisor.Escalation) error {
	t.Helper()
	ctx := context.Background()
	restarted := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ChildRestarted); return ok })
	defer restarted.Close()
	child := name + "_child"
	sup, err := sys.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 1, Period: time.Hour, Escalation: esc},
		supervisor.Child{ID: "c", Start: actor.PropsOf(crasher, actor.WithName(child), actor.WithKind("crasher"))},
	), actor.WithName(name))
	require.NoError(t, err)
	mon, err := sys.Monitor(sup)
	require.NoError(t, err)
	pid, ok := sys.Whereis(child)
	require.True(t, ok)
	require.NoError(t, sys.Send(pid, "crash"))
	_, err = restarted.Next(ctx)
	require.NoError(t, err)
	pid, ok = sys.Whereis(child)
	require.True(t, ok)
	require.NoError(t, sys.Send(pid, "crash"))
	return take(t, mon.Down()).Reason
}

// TestEveryInstrument runs a scripted scenario and checks every documented
// instrument against what the scenario did.
func TestEveryInstrument(t *testing.T) {
	ctx := context.Background()
	sys := system.New(system.WithMetrics(system.MetricsConfig{SampleEvery: 1}))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { require.NoError(t, mp.Shutdown(ctx)) }()
	m, err := otelrt.Register(sys, mp)
	require.NoError(t, err)
	defer func() { require.NoError(t, m.Close()) }()

	// Two workers, three requests each.
	var workers []actor.PID
	for range 2 {
		pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }), actor.WithKind("worker"))
		require.NoError(t, err)
		workers = append(workers, pid)
		for i := range 3 {
			_, err := sys.Request(ctx, pid, i)
			require.NoError(t, err)
		}
	}

	// A restart and an escalation; a restart and a give-up.
	var rle *supervisor.RestartLimitExceeded
	require.ErrorAs(t, crashTwice(t, sys, "escalating", supervisor.Escalate), &rle)
	require.ErrorIs(t, crashTwice(t, sys, "terminating", supervisor.Terminate), actor.Shutdown)

	// Dead letters of each reason.
	dead, err := sys.Spawn(crasher(), actor.WithKind("short"))
	require.NoError(t, err)
	require.NoError(t, sys.Kill(dead))
	require.ErrorIs(t, sys.Send(dead, "late"), actor.ErrNoProcess) // no_process

	started, release := make(chan struct{}), make(chan struct{})
	block := func() actor.Actor {
		first := true
		return actor.Func(func(actor.Context, any) {
			if first {
				first = false
				started <- struct{}{}
				<-release
			}
		})
	}
	full, err := sys.Spawn(block(), actor.WithKind("blocked"), actor.WithMailbox(2, mailbox.DropNewest))
	require.NoError(t, err)
	require.NoError(t, sys.Send(full, 0))
	<-started
	require.NoError(t, sys.Send(full, 1))
	require.NoError(t, sys.Send(full, 2))
	require.ErrorIs(t, sys.Send(full, 3), actor.ErrMailboxFull) // mailbox_full
	oldest, err := sys.Spawn(block(), actor.WithKind("blocked"), actor.WithMailbox(1, mailbox.DropOldest))
	require.NoError(t, err)
	require.NoError(t, sys.Send(oldest, 0))
	<-started
	require.NoError(t, sys.Send(oldest, 1))
	require.NoError(t, sys.Send(oldest, 2)) // dropped_oldest: 1

	gate, replied := make(chan struct{}), make(chan struct{})
	late, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		<-gate
		_ = ctx.Reply(msg)
		close(replied)
	}), actor.WithKind("late"))
	require.NoError(t, err)
	rctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = sys.Request(rctx, late, "q")
	require.ErrorIs(t, err, context.Canceled)
	close(gate)
	<-replied // no_request
	//nolint:staticcheck // the nil context is the point: other
	require.ErrorIs(t, sys.SendContext(nil, workers[0], "x"), actor.ErrNilContext)

	// While the two blocked processes hold their mailboxes.
	pts := collect(t, reader)
	kind := otelrt.KeyKind.String
	require.Equal(t, 3.0, get(t, pts, "rt.mailbox.queued", "gauge", kind("blocked")), "2 behind one, 1 behind the other")
	require.Equal(t, 0.0, get(t, pts, "rt.mailbox.fill", "gauge", kind("blocked"), otelrt.KeyLE.String("0.9")), "both are full")
	require.Equal(t, 2.0, get(t, pts, "rt.mailbox.fill", "gauge", kind("blocked"), otelrt.KeyLE.String("1")))
	require.Equal(t, 2.0, get(t, pts, "rt.mailbox.fill", "gauge", kind("blocked"), otelrt.KeyLE.String("+Inf")))
	require.Equal(t, 0.0, get(t, pts, "rt.mailbox.fill", "gauge", kind("blocked"), otelrt.KeyLE.String("0")))
	require.Equal(t, 2.0, get(t, pts, "rt.processes", "gauge", kind("worker")))
	require.Equal(t, 2.0, get(t, pts, "rt.processes", "gauge", kind("blocked")))

	close(release)
	require.NoError(t, sys.Shutdown(ctx))
	require.ErrorIs(t, sys.Send(workers[0], "after"), actor.ErrStopped) // stopped

	pts = collect(t, reader)
	reason := otelrt.KeyReason.String
	for r, want := range map[string]float64{
		"no_process": -1, "mailbox_full": 1, "dropped_oldest": 1, "stopped": 1, "no_request": 1, "other": 1,
	} {
		got := get(t, pts, "rt.dead_letters", "counter", reason(r))
		if want < 0 {
			require.GreaterOrEqual(t, got, 1.0, r) // and what the shutdown overtook
			continue
		}
		require.Equal(t, want, got, r)
	}
	st := sys.Stats()
	require.Equal(t, float64(st.DeadLettersBy[system.DeadNoProcess]), get(t, pts, "rt.dead_letters", "counter", reason("no_process")))

	require.Equal(t, 4.0, get(t, pts, "rt.messages.crashed", "counter"), "two crashes under each supervisor")

	sup := otelrt.KeySupervisor.String
	require.Equal(t, 1.0, get(t, pts, "rt.supervisor.restarts", "counter", sup("escalating")))
	require.Equal(t, 1.0, get(t, pts, "rt.supervisor.escalations", "counter", sup("escalating")))
	require.Equal(t, 0.0, get(t, pts, "rt.supervisor.give_ups", "counter", sup("escalating")))
	require.Equal(t, 1.0, get(t, pts, "rt.supervisor.restarts", "counter", sup("terminating")))
	require.Equal(t, 0.0, get(t, pts, "rt.supervisor.escalations", "counter", sup("terminating")))
	require.Equal(t, 1.0, get(t, pts, "rt.supervisor.give_ups", "counter", sup("terminating")))

	require.Equal(t, 2.0, get(t, pts, "rt.processes.spawned", "counter", kind("worker")))
	require.Equal(t, 0.0, get(t, pts, "rt.processes", "gauge", kind("worker")))
	require.Equal(t, 6.0, get(t, pts, "rt.messages.delivered", "counter", kind("worker")))
	require.Equal(t, 2.0, get(t, pts, "rt.processes.exited", "counter", kind("worker"), reason("shutdown")))
	require.Equal(t, 0.0, get(t, pts, "rt.processes.exited", "counter", kind("worker"), reason("panic")))

	// Each supervisor's child crashed twice: started, restarted once.
	require.Equal(t, 4.0, get(t, pts, "rt.processes.spawned", "counter", kind("crasher")))
	require.Equal(t, 4.0, get(t, pts, "rt.processes.exited", "counter", kind("crasher"), reason("panic")))
	require.Equal(t, 1.0, get(t, pts, "rt.processes.exited", "counter", kind("short"), reason("killed")))
	require.Equal(t, 1.0, get(t, pts, "rt.processes.exited", "counter", kind("late"), reason("shutdown")))
	for _, c := range system.ExitClasses() {
		get(t, pts, "rt.processes.exited", "counter", kind("crasher"), reason(c.String()))
	}
	require.Equal(t, 1.0, get(t, pts, "rt.processes.exited", "counter", kind("*supervisor.sup"), reason("error")),
		"the escalating supervisor exits with its RestartLimitExceeded")
	require.Equal(t, 1.0, get(t, pts, "rt.processes.exited", "counter", kind("*supervisor.sup"), reason("shutdown")))

	samples := get(t, pts, "rt.handler.duration.samples", "counter", kind("worker"), otelrt.KeyLE.String("+Inf"))
	require.GreaterOrEqual(t, samples, 2.0, "with SampleEvery 1 every turn is sampled")
	require.LessOrEqual(t, samples, 6.0)
	prev := 0.0
	for _, b := range system.HandlerTimeBounds {
		n := get(t, pts, "rt.handler.duration.samples", "counter", kind("worker"), otelrt.KeyLE.String(strconv.FormatFloat(b, 'g', -1, 64)))
		require.GreaterOrEqual(t, n, prev, "buckets are cumulative")
		prev = n
	}
	require.GreaterOrEqual(t, get(t, pts, "rt.handler.duration.sum", "fcounter", kind("worker")), 0.0)

	// The mailbox waits are exported as the system counted them.
	w := kindStats(t, st, "worker").MailboxWait
	require.GreaterOrEqual(t, w.Count, uint64(2), "with SampleEvery 1 every turn that finds a backlog is sampled")
	require.Equal(t, float64(w.Count), get(t, pts, "rt.mailbox.wait.samples", "counter", kind("worker"), otelrt.KeyLE.String("+Inf")))
	var cum uint64
	for i, b := range system.MailboxWaitBounds {
		cum += w.Counts[i]
		require.Equal(t, float64(cum), get(t, pts, "rt.mailbox.wait.samples", "counter", kind("worker"), otelrt.KeyLE.String(strconv.FormatFloat(b, 'g', -1, 64))))
	}
	require.InDelta(t, w.Sum, get(t, pts, "rt.mailbox.wait.sum", "fcounter", kind("worker")), 1e-12)

	// After the shutdown every mailbox is gone.
	require.Equal(t, 0.0, get(t, pts, "rt.mailbox.queued", "gauge", kind("blocked")))
	require.Equal(t, 0.0, get(t, pts, "rt.mailbox.fill", "gauge", kind("blocked"), otelrt.KeyLE.String("+Inf")))

	// Every instrument the docs list was reported.
	for _, name := range documented {
		require.Contains(t, pts, name)
	}
	require.Len(t, pts, len(documented))
}

// documented is the instrument table of docs/metrics.md.
var documented = []string{
	"rt.processes", "rt.processes.spawned", "rt.processes.exited",
	"rt.messages.delivered", "rt.messages.crashed", "rt.dead_letters",
	"rt.mailbox.queued", "rt.mailbox.fill",
	"rt.handler.duration.samples", "rt.handler.duration.sum",
	"rt.mailbox.wait.samples", "rt.mailbox.wait.sum",
	"rt.supervisor.restarts", "rt.supervisor.escalations", "rt.supervisor.give_ups",
}

func TestRegisterErrors(t *testing.T) {
	mp := sdkmetric.NewMeterProvider()
	defer func() { require.NoError(t, mp.Shutdown(context.Background())) }()
	_, err := otelrt.Register(nil, mp)
	require.ErrorIs(t, err, otelrt.ErrNilSystem)
	on := system.New(system.WithMetrics(system.MetricsConfig{}))
	defer on.Shutdown(context.Background())
	_, err = otelrt.Register(on, nil)
	require.ErrorIs(t, err, otelrt.ErrNilMeterProvider)
	off := system.New()
	defer off.Shutdown(context.Background())
	_, err = otelrt.Register(off, mp)
	require.ErrorIs(t, err, otelrt.ErrMetricsOff)
}

// TestCloseUnregisters: one callback per system, gone after Close, and a
// system registered again reports as before.
func TestCloseUnregisters(t *testing.T) {
	ctx := context.Background()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { require.NoError(t, mp.Shutdown(ctx)) }()
	sys := system.New(system.WithMetrics(system.MetricsConfig{}))
	defer sys.Shutdown(ctx)
	_, err := sys.Spawn(crasher(), actor.WithKind("w"))
	require.NoError(t, err)

	m, err := otelrt.Register(sys, mp)
	require.NoError(t, err)
	one := collect(t, reader)
	require.Equal(t, 1.0, get(t, one, "rt.processes", "gauge", otelrt.KeyKind.String("w")))
	require.NoError(t, m.Close())
	require.NoError(t, m.Close(), "Close is idempotent")
	require.Zero(t, series(collect(t, reader)), "nothing is reported after Close")

	for range 100 {
		m, err := otelrt.Register(sys, mp)
		require.NoError(t, err)
		require.NoError(t, m.Close())
	}
	m, err = otelrt.Register(sys, mp)
	require.NoError(t, err)
	defer m.Close()
	require.Equal(t, series(one), series(collect(t, reader)), "registrations closed leave nothing behind")
}

func kindStats(t *testing.T, st system.Stats, kind string) system.KindStats {
	t.Helper()
	for _, k := range st.Kinds {
		if k.Kind == kind {
			return k
		}
	}
	t.Fatalf("no kind %q", kind)
	return system.KindStats{}
}
