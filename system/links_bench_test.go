package system_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// stamped is an exit reason carrying the moment its process decided to exit,
// so that the receiver of the Exit or Down can tell how long it took.
type stamped struct{ at time.Time }

func (stamped) Error() string { return "stamped exit" }

// stampedStop is a target that exits with a stamped reason on any message.
func stampedStop() actor.Actor {
	return actor.Func(func(ctx actor.Context, _ any) { ctx.Stop(stamped{time.Now()}) })
}

// call is a function a latencyPeer (or a stress test's watcher) runs in its
// handler, replying with the result.
type call func(ctx actor.Context) any

// systemShutdown reports whether e is System.Shutdown's exit signal, which a
// trapping process receives as a message and obeys.
func systemShutdown(e actor.Exit) bool { return e.From.IsZero() && actor.IsShutdown(e.Reason) }

// latencyPeer traps exits, runs call messages, and reports how long after
// its stamp each Exit or Down arrived.
type latencyPeer struct{ lat chan<- time.Duration }

func (p *latencyPeer) Init(ctx actor.Context) error {
	ctx.TrapExit(true)
	return nil
}

func (p *latencyPeer) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case actor.Exit:
		if s, ok := m.Reason.(stamped); ok {
			p.lat <- time.Since(s.at)
		} else if systemShutdown(m) {
			ctx.Stop(m.Reason)
		}
	case actor.Down:
		if s, ok := m.Reason.(stamped); ok {
			p.lat <- time.Since(s.at)
		}
	case call:
		_ = ctx.Reply(m(ctx))
	}
}

func benchRequest(b *testing.B, sys *system.System, pid actor.PID, f call) any {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	r, err := sys.Request(ctx, pid, f)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// reportLatency reports the median and 99th percentile of ds.
func reportLatency(b *testing.B, ds []time.Duration) {
	b.Helper()
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	b.ReportMetric(float64(at(0.50).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(at(0.99).Nanoseconds()), "p99-ns")
}

// BenchmarkLinkExit measures the time from a process's exit to the Exit
// message at its linked, trapping peer.
func BenchmarkLinkExit(b *testing.B) {
	sys := newSystem(b)
	lat := make(chan time.Duration, 1)
	peer, err := sys.Spawn(&latencyPeer{lat: lat})
	if err != nil {
		b.Fatal(err)
	}
	spawnLinked := call(func(ctx actor.Context) any {
		pid, err := ctx.SpawnLink(stampedStop())
		if err != nil {
			return err
		}
		return pid
	})
	var ds []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		target, ok := benchRequest(b, sys, peer, spawnLinked).(actor.PID)
		if !ok {
			b.Fatal("SpawnLink failed")
		}
		if err := sys.Send(target, "exit"); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, take(b, lat))
	}
	reportLatency(b, ds)
}

// BenchmarkMonitorDown measures the time from a process's exit to the Down
// message at a process monitoring it.
func BenchmarkMonitorDown(b *testing.B) {
	sys := newSystem(b)
	lat := make(chan time.Duration, 1)
	watcher, err := sys.Spawn(&latencyPeer{lat: lat})
	if err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		target, err := sys.Spawn(stampedStop())
		if err != nil {
			b.Fatal(err)
		}
		if err, _ := benchRequest(b, sys, watcher, func(ctx actor.Context) any {
			_, err := ctx.Monitor(target)
			return err
		}).(error); err != nil {
			b.Fatal(err)
		}
		if err := sys.Send(target, "exit"); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, take(b, lat))
	}
	reportLatency(b, ds)
}
