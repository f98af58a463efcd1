package main

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// seqMsg is message i of producer p.
type seqMsg struct{ p, i int }

// Every message pushed is handled once, in its producer's order, by one
// consumer at a time, whether the ring stays busy or goes idle between
// messages (yield), so that consumers start and exit throughout.
func TestRingDeliversEverything(t *testing.T) {
	tests := []struct {
		name           string
		producers, per int
		yield          bool
	}{
		{"1 producer busy", 1, 50_000, false},
		{"4 producers busy", 4, 20_000, false},
		{"1 producer idling", 1, 5_000, true},
		{"4 producers idling", 4, 2_000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total := tt.producers * tt.per
			next := make([]int, tt.producers) // the consumer's alone
			var inside atomic.Int32
			bad := make(chan error, 1)
			done := make(chan struct{})
			got := 0
			r := newRing(func(msg any) {
				if inside.Add(1) != 1 {
					report(bad, errors.New("two consumers at once"))
				}
				defer inside.Add(-1)
				m := msg.(seqMsg)
				if m.i != next[m.p] {
					report(bad, fmt.Errorf("producer %d: message %d after %d", m.p, m.i, next[m.p]-1))
				}
				next[m.p] = m.i + 1
				if got++; got == total {
					close(done)
				}
			})
			var wg sync.WaitGroup
			for p := range tt.producers {
				wg.Go(func() {
					for i := range tt.per {
						r.push(seqMsg{p, i})
						if tt.yield {
							runtime.Gosched()
						}
					}
				})
			}
			wg.Wait()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatalf("%d of %d messages handled: a wake-up was lost", got, total)
			}
			r.wait()
			select {
			case err := <-bad:
				t.Fatal(err)
			default:
			}
			for p, n := range next {
				require.Equal(t, tt.per, n, "producer %d", p)
			}
		})
	}
}

// Each message pushed to an idle ring starts a consumer, which exits once
// it has drained the ring: a round trip per message, nothing left behind.
func TestRingWakesForEachMessage(t *testing.T) {
	handled := make(chan any)
	r := newRing(func(msg any) { handled <- msg })
	for i := range 2_000 {
		r.push(i)
		select {
		case got := <-handled:
			require.Equal(t, i, got)
		case <-time.After(time.Minute):
			t.Fatalf("message %d was never handled", i)
		}
	}
	r.wait()
	require.Equal(t, ringIdle, r.run.Load())
}

// A full ring refuses tryPush, and push waits for room instead of
// dropping: every message arrives once the consumer goes on.
func TestRingFullWaits(t *testing.T) {
	release := make(chan struct{})
	var handled atomic.Int32
	r := newRing(func(any) {
		if handled.Add(1) == 1 {
			<-release // hold the consumer on the first message
		}
	})
	const total = ringSize + 10
	var pushed atomic.Int32
	producer := make(chan struct{})
	go func() {
		defer close(producer)
		for i := range total {
			r.push(i)
			pushed.Add(1)
		}
	}()
	// The consumer took the first message, so ringSize more fit.
	for pushed.Load() < ringSize+1 {
		runtime.Gosched()
	}
	require.False(t, r.tryPush(-1), "tryPush into a full ring")
	require.Less(t, pushed.Load(), int32(total), "the producer waits for room")
	close(release)
	<-producer
	for handled.Load() < total {
		runtime.Gosched()
	}
	r.wait()
	require.Equal(t, int32(total), handled.Load())
}

// tryPush fills exactly ringSize slots of a ring nobody consumes.
func TestRingCapacity(t *testing.T) {
	r := newRing(func(any) {})
	for i := range ringSize {
		require.True(t, r.tryPush(i), "slot %d", i)
	}
	require.False(t, r.tryPush(ringSize))
}
