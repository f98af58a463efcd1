package supervisor_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// restartee reports each start of its process on ready and, on crash,
// panics with errBoom, or with byStop stops with errBoom as its reason.
type restartee struct {
	ready  chan<- actor.PID
	byStop bool
}

func (r *restartee) Init(ctx actor.Context) error {
	if r.ready != nil {
		r.ready <- ctx.Self()
	}
	return nil
}

func (r *restartee) Receive(ctx actor.Context, msg any) {
	if _, ok := msg.(crash); ok {
		if r.byStop {
			ctx.Stop(errBoom)
			return
		}
		panic(errBoom)
	}
}

// unlimited never gives up at these rates: the window holds at most
// 1,000 restarts and lasts a millisecond.
var unlimited = supervisor.Spec{Intensity: 1000, Period: time.Millisecond}

// benchRestarts crashes the child reporting on ready, b.N times, and
// reports the latency from the crash order to the restarted child's Init.
func benchRestarts(b *testing.B, sys *system.System, ready <-chan actor.PID) {
	pid := <-ready
	lat := make([]time.Duration, 0, 1<<16)
	start := time.Now()
	for b.Loop() {
		t0 := time.Now()
		if err := sys.Send(pid, crash{}); err != nil {
			b.Fatal(err)
		}
		pid = <-ready
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(t0))
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "restarts/s")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// Serial restart latency of one OneForOne child that crashes by panic, or
// by stopping with an error.
func BenchmarkRestart(b *testing.B) {
	for _, byStop := range []bool{false, true} {
		name := "panic"
		if byStop {
			name = "stop"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			sys := system.New()
			defer sys.Shutdown(context.Background())
			ready := make(chan actor.PID, 1)
			if _, err := sys.Spawn(supervisor.New(unlimited, supervisor.Child{ID: "w", Start: actor.PropsOf(func() actor.Actor {
				return &restartee{ready: ready, byStop: byStop}
			})})); err != nil {
				b.Fatal(err)
			}
			benchRestarts(b, sys, ready)
		})
	}
}

// OneForOne restart among 10 and 100,000 siblings: the cost must not grow.
func BenchmarkRestartSiblings(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			sys := system.New()
			defer sys.Shutdown(context.Background())
			ready := make(chan actor.PID, 1)
			kids := make([]supervisor.Child, n)
			for i := range kids {
				kids[i] = supervisor.Child{ID: fmt.Sprint(i), Start: actor.PropsOf(func() actor.Actor { return &restartee{} })}
			}
			kids[n/2].Start = actor.PropsOf(func() actor.Actor { return &restartee{ready: ready} })
			if _, err := sys.Spawn(supervisor.New(unlimited, kids...), actor.WithInitTimeout(time.Minute)); err != nil {
				b.Fatal(err)
			}
			benchRestarts(b, sys, ready)
		})
	}
}

// Escalation through 1,000 nested supervisors that each allow no restart:
// the time from a crash at the bottom until the top has exited.
func BenchmarkEscalationDepth(b *testing.B) {
	const depth = 1000
	b.ReportAllocs()
	sys := system.New()
	defer sys.Shutdown(context.Background())
	spec := supervisor.Spec{Intensity: supervisor.NoRestarts}
	ready := make(chan actor.PID, 1)
	tree := supervisor.Child{ID: "w", Start: actor.PropsOf(func() actor.Actor { return &restartee{ready: ready} })}
	for range depth {
		below := tree
		tree = supervisor.Child{ID: "sup", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
			return supervisor.New(spec, below)
		})}
	}
	var total time.Duration
	for b.Loop() {
		top, err := sys.Spawn(tree.Start.New(), actor.WithInitTimeout(time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		w := <-ready
		down := make(chan error, 1)
		if _, err := sys.Spawn(&probe{pid: top, ch: down}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := sys.Send(w, crash{}); err != nil {
			b.Fatal(err)
		}
		<-down
		total += time.Since(t0)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N), "µs/escalation")
}

// The intensity rule alone, after a million earlier restarts.
func BenchmarkIntensityAdmit(b *testing.B) {
	var h supervisor.History
	t0 := time.Now()
	for i := range 1_000_000 {
		h.Admit(t0.Add(time.Duration(i)*time.Microsecond), 10, time.Millisecond)
	}
	b.ReportAllocs()
	i := 1_000_000
	for b.Loop() {
		h.Admit(t0.Add(time.Duration(i)*time.Microsecond), 10, time.Millisecond)
		i++
	}
}
