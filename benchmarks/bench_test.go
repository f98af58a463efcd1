package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/router"
	"github.com/airssys/rt/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestScenariosQuick runs every scenario at a tiny size: each must finish,
// and report a positive, finite figure for what it measures; the tells and
// pingpong report the ring beside the channel.
func TestScenariosQuick(t *testing.T) {
	withRing := map[string]bool{"tell-1to1": true, "tell-4to1": true, "pingpong": true}
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			rs, err := sc.run(tinyConfig())
			require.NoError(t, err)
			require.NotEmpty(t, rs)
			impls := map[string]bool{}
			for _, r := range rs {
				impls[r.Impl] = true
				require.Equal(t, sc.name, r.Scenario)
				require.Contains(t, []string{implRuntime, implChan, implRing, implDirect, implNATS}, r.Impl)
				require.Positive(t, r.N, "%+v", r)
				require.Equal(t, 1, r.Reps, "%+v", r)
				_, v := headline(r)
				require.NotNil(t, v, "%+v has no headline metric", r)
				require.False(t, math.IsNaN(*v) || math.IsInf(*v, 0), "%s %s: headline %v", r.Scenario, r.Impl, *v)
				if r.Scenario != "observer" {
					// observer's is a difference of two CPU times, which
					// the noise of a tiny window can take below zero.
					require.Positive(t, *v, "%s %s: headline", r.Scenario, r.Impl)
				}
			}
			require.Equal(t, withRing[sc.name], impls[implRing], "ring line in %s", sc.name)
		})
	}
}

func TestExecuteJSON(t *testing.T) {
	chosen, err := pickScenarios("tell-1to1,spawn")
	require.NoError(t, err)
	var out, progress bytes.Buffer
	require.NoError(t, execute(tinyConfig(), chosen, true, &out, &progress))

	var got []map[string]any
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "line %q", sc.Text())
		got = append(got, m)
	}
	require.Len(t, got, 5)
	for _, m := range got {
		for _, k := range []string{"scenario", "impl", "mailbox", "n", "reps", "spread"} {
			require.Contains(t, m, k)
		}
	}
	require.Equal(t, []any{implChan, implRing, implRuntime}, []any{got[0]["impl"], got[1]["impl"], got[2]["impl"]})
	require.Contains(t, got[2], "msgs_per_sec")
	require.Contains(t, got[2], "ratio_vs_chan")
	require.Contains(t, got[2], "ratio_vs_ring")
	require.NotContains(t, got[4], "ratio_vs_ring")
	require.Equal(t, map[string]any{"of": "msgs_per_sec", "min": got[2]["msgs_per_sec"], "max": got[2]["msgs_per_sec"]}, got[2]["spread"])
	require.Contains(t, got[4], "bytes_per_actor")
	require.Contains(t, got[4], "goroutines_per_actor")
	require.Equal(t, 2, strings.Count(progress.String(), " done in "), progress.String())
	require.Contains(t, progress.String(), "Targets")
	require.Contains(t, progress.String(), "tell-1to1 >= 0.9x ring msgs/s")
}

func TestExecuteTable(t *testing.T) {
	chosen, err := pickScenarios("pingpong")
	require.NoError(t, err)
	var out, progress bytes.Buffer
	require.NoError(t, execute(tinyConfig(), chosen, false, &out, &progress))
	for _, want := range []string{"vs chan", "vs ring", "spread", "x ns/op", " ring ", "pingpong round trip <= 1.0x chan"} {
		require.Contains(t, out.String(), want)
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-scenario", "nope"}, `unknown scenario "nope"`},
		{[]string{"-mailbox", "64,0"}, `-mailbox: "0"`},
		{[]string{"-mailbox", ""}, "no capacity"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-count", "0"}, "-count: 0"},
		{[]string{"-count", "-2"}, "-count: -2"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errw bytes.Buffer
			err := run(tt.args, &out, &errw)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

// The testing.B benchmarks below measure the same hot paths one operation
// at a time, each beside its channel equivalent:
//
//	go test -run '^$' -bench . -benchmem ./benchmarks

// flush asks a tell receiver how many messages it has received; it comes
// after every message its sender sent before it.
type flush struct{}

// tellReceiver spawns an actor that counts tellMsgs and answers a flush
// with the count on flushed.
func tellReceiver(b *testing.B, sys *system.System) (actor.PID, <-chan int) {
	flushed := make(chan int, 1)
	got := 0
	pid, err := sys.Spawn(actor.Func(func(_ actor.Context, msg any) {
		switch msg.(type) {
		case tellMsg:
			got++
		case flush:
			flushed <- got
		}
	}))
	if err != nil {
		b.Fatal(err)
	}
	return pid, flushed
}

// settle waits, timed, until the receiver has every message sent, and
// checks that it received want of them.
func settle(b *testing.B, sys *system.System, pid actor.PID, flushed <-chan int, want int) {
	b.StartTimer()
	if err := sys.Send(pid, flush{}); err != nil {
		b.Fatal(err)
	}
	got := <-flushed
	b.StopTimer()
	if got != want {
		b.Fatalf("receiver got %d messages, want %d", got, want)
	}
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "msgs/s")
}

func newSystem(b *testing.B) *system.System {
	sys := system.New()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := sys.Shutdown(ctx); err != nil {
			b.Error(err)
		}
	})
	return sys
}

// chanReceiver is the channel equivalent of tellReceiver.
func chanReceiver(b *testing.B, capacity int) (chan<- any, <-chan int) {
	ch := make(chan any, capacity)
	flushed := make(chan int, 1)
	go func() {
		got := 0
		for msg := range ch {
			switch msg.(type) {
			case tellMsg:
				got++
			case flush:
				flushed <- got
			}
		}
	}()
	b.Cleanup(func() { close(ch) })
	return ch, flushed
}

// Send from one goroutine to one actor; the time includes the receiver
// taking the last message.
func BenchmarkTell(b *testing.B) {
	b.Run("impl=runtime", func(b *testing.B) {
		sys := newSystem(b)
		pid, flushed := tellReceiver(b, sys)
		b.ReportAllocs()
		for b.Loop() {
			if err := sys.Send(pid, tellMsg(1)); err != nil {
				b.Fatal(err)
			}
		}
		settle(b, sys, pid, flushed, b.N)
	})
	b.Run("impl=chan", func(b *testing.B) {
		ch, flushed := chanReceiver(b, actor.DefaultCapacity)
		b.ReportAllocs()
		for b.Loop() {
			ch <- tellMsg(1)
		}
		b.StartTimer()
		ch <- flush{}
		got := <-flushed
		b.StopTimer()
		if got != b.N {
			b.Fatalf("receiver got %d, want %d", got, b.N)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// Send from GOMAXPROCS goroutines to one actor.
func BenchmarkTellParallel(b *testing.B) {
	b.Run("impl=runtime", func(b *testing.B) {
		sys := newSystem(b)
		pid, flushed := tellReceiver(b, sys)
		var sent atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			n := int64(0)
			for pb.Next() {
				if err := sys.Send(pid, tellMsg(1)); err != nil {
					b.Error(err)
					return
				}
				n++
			}
			sent.Add(n)
		})
		b.StopTimer()
		settle(b, sys, pid, flushed, int(sent.Load()))
	})
	b.Run("impl=chan", func(b *testing.B) {
		ch, flushed := chanReceiver(b, actor.DefaultCapacity)
		var sent atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			n := int64(0)
			for pb.Next() {
				ch <- tellMsg(1)
				n++
			}
			sent.Add(n)
		})
		ch <- flush{}
		got := <-flushed
		b.StopTimer()
		if int64(got) != sent.Load() {
			b.Fatalf("receiver got %d, want %d", got, sent.Load())
		}
		b.ReportMetric(float64(got)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// rounds asks a pinger for n round trips with peer, then a signal on done.
type rounds struct {
	n    int
	peer actor.PID
}

// roundTrips is how many round trips one benchmark iteration plays, so that
// the time of one round trip is not dominated by starting a batch.
const roundTrips = 100

// Round trips between two actors with ctx.Send and ctx.Sender().
func BenchmarkPingPong(b *testing.B) {
	b.Run("impl=runtime", func(b *testing.B) {
		sys := newSystem(b)
		done := make(chan struct{}, 1)
		ponger, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			if _, ok := msg.(ping); ok {
				_ = ctx.Send(ctx.Sender(), pong{})
			}
		}))
		if err != nil {
			b.Fatal(err)
		}
		left := 0
		pinger, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			switch m := msg.(type) {
			case rounds:
				left = m.n
				_ = ctx.Send(m.peer, ping{})
			case pong:
				if left--; left == 0 {
					done <- struct{}{}
					return
				}
				_ = ctx.Send(ctx.Sender(), ping{})
			}
		}))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := sys.Send(pinger, rounds{n: roundTrips, peer: ponger}); err != nil {
				b.Fatal(err)
			}
			<-done
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*roundTrips), "ns/roundtrip")
	})
	b.Run("impl=chan", func(b *testing.B) {
		pings, pongs := make(chan struct{}, pingpongBuffer), make(chan struct{}, pingpongBuffer)
		batches, done := make(chan int), make(chan struct{})
		go func() {
			for range pings {
				pongs <- struct{}{}
			}
		}()
		go func() {
			for n := range batches {
				for range n {
					pings <- struct{}{}
					<-pongs
				}
				done <- struct{}{}
			}
		}()
		b.Cleanup(func() { close(batches); close(pings) })
		b.ReportAllocs()
		for b.Loop() {
			batches <- roundTrips
			<-done
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*roundTrips), "ns/roundtrip")
	})
}

// spawnWindow is how many idle actors (or goroutines) live at once in
// BenchmarkSpawn; each window is measured, then torn down untimed.
const spawnWindow = 50_000

// Spawn idle actors; bytes/actor is the live heap they hold after GC.
func BenchmarkSpawn(b *testing.B) {
	b.Run("impl=runtime", func(b *testing.B) {
		var sys *system.System
		var live, actors int
		var h0, s0 uint64
		var bytes float64
		open := func() {
			sys = system.New()
			h0, s0, _ = snapshot()
			live = 0
		}
		closeWindow := func() {
			if live > 0 {
				h1, s1, _ := snapshot()
				bytes += float64(h1+s1) - float64(h0+s0)
				actors += live
			}
			if err := shutdown(sys, nil); err != nil {
				b.Fatal(err)
			}
		}
		open()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sys.Spawn(actor.Func(idle)); err != nil {
				b.Fatal(err)
			}
			if live++; live == spawnWindow {
				b.StopTimer()
				closeWindow()
				open()
				b.StartTimer()
			}
		}
		closeWindow()
		b.ReportMetric(bytes/float64(actors), "bytes/actor")
	})
	b.Run("impl=chan", func(b *testing.B) {
		chans := make([]chan any, 0, spawnWindow)
		var wg sync.WaitGroup
		var actors int
		var bytes float64
		h0, s0, _ := snapshot()
		closeWindow := func() {
			h1, s1, _ := snapshot()
			bytes += float64(h1+s1) - float64(h0+s0)
			actors += len(chans)
			for _, ch := range chans {
				close(ch)
			}
			wg.Wait() // the window's goroutines are gone before the next baseline
			chans = chans[:0]
			h0, s0, _ = snapshot()
		}
		b.ReportAllocs()
		for b.Loop() {
			ch := make(chan any)
			wg.Go(func() {
				for range ch {
				}
			})
			if chans = append(chans, ch); len(chans) == spawnWindow {
				b.StopTimer()
				closeWindow()
				b.StartTimer()
			}
		}
		if len(chans) > 0 {
			closeWindow()
		}
		b.ReportMetric(bytes/float64(actors), "bytes/actor")
	})
}

// Request and reply from outside the actors.
func BenchmarkRequest(b *testing.B) {
	b.Run("impl=runtime", func(b *testing.B) {
		sys := newSystem(b)
		echo, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sys.Request(ctx, echo, tellMsg(1)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=chan", func(b *testing.B) {
		type request struct {
			msg   any
			reply chan any
		}
		reqs := make(chan request, actor.DefaultCapacity)
		go func() {
			for r := range reqs {
				r.reply <- r.msg
			}
		}()
		b.Cleanup(func() { close(reqs) })
		b.ReportAllocs()
		for b.Loop() {
			r := request{msg: tellMsg(1), reply: make(chan any, 1)}
			reqs <- r
			<-r.reply
		}
	})
}

// Send from one goroutine through a round-robin router over four actors
// (impl=router), and to one of four such actors (impl=direct); the time
// includes the receivers taking the last message. The instructions of the
// two, under callgrind, are the redirect's cost on the send path.
func BenchmarkTellRouter(b *testing.B) {
	run := func(b *testing.B, routed bool) {
		sys := newSystem(b)
		var got atomic.Int64
		done := make(chan struct{})
		want := int64(b.N)
		pids := make([]actor.PID, routees)
		for i := range pids {
			pid, err := sys.Spawn(actor.Func(func(actor.Context, any) {
				if got.Add(1) == want {
					close(done)
				}
			}))
			require.NoError(b, err)
			pids[i] = pid
		}
		to := pids[0]
		if routed {
			r, err := sys.Spawn(router.New(router.Spec{Policy: router.RoundRobin(), Routees: pids}))
			require.NoError(b, err)
			to = r
			// Until its turn after Init has ended, the router takes the
			// messages itself instead of redirecting them.
			for {
				info, err := sys.Inspect(r)
				require.NoError(b, err)
				if info.State == system.Idle {
					break
				}
				runtime.Gosched()
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := sys.Send(to, tellMsg(1)); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		<-done
		b.StopTimer()
	}
	b.Run("impl=direct", func(b *testing.B) { run(b, false) })
	b.Run("impl=router", func(b *testing.B) { run(b, true) })
}
