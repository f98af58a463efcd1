package system

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
)

func (tm *timers) state() (pending int, serving bool) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return len(tm.pending), tm.serving
}

// Ten thousand armed intervals are ten thousand heap entries and one
// goroutine; once the last is cancelled, the goroutine is gone.
func TestArmedTimersShareOneGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New()
		defer func() { require.NoError(t, s.Shutdown(context.Background())) }()
		pid, err := s.Spawn(actor.Func(func(actor.Context, any) {}))
		require.NoError(t, err)
		synctest.Wait()
		before := s.workers.alive.Load()
		cancels := make([]func() bool, 10_000)
		for i := range cancels {
			cancels[i], err = s.SendInterval(time.Hour, pid, i)
			require.NoError(t, err)
		}
		synctest.Wait()
		pending, serving := s.timers.state()
		require.Equal(t, 10_000, pending)
		require.True(t, serving)
		require.Equal(t, before+1, s.workers.alive.Load(), "one timer goroutine for all of them")
		for _, c := range cancels {
			require.True(t, c())
		}
		synctest.Wait()
		pending, serving = s.timers.state()
		require.Zero(t, pending)
		require.False(t, serving, "no goroutine waits for no timer")
		require.Equal(t, before, s.workers.alive.Load())
	})
}

// A timer that fires before its SendAfter returns leaves nothing in its
// owner's list: it is listed before it can fire. (Real time, so that the
// timer goroutine runs beside the owner, on another processor.)
func TestFiredTimersLeaveTheOwnersList(t *testing.T) {
	s := New()
	defer func() { require.NoError(t, s.Shutdown(context.Background())) }()
	const n = 5000
	fired := make(chan struct{}, n)
	pid, err := s.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch msg {
		case "arm":
			for range n {
				_, _ = ctx.SendAfter(0, ctx.Self(), "fired")
			}
		case "fired":
			fired <- struct{}{}
		}
	}))
	require.NoError(t, err)
	require.NoError(t, s.Send(pid, "arm"))
	limit := time.After(10 * time.Second) // a failure, never a way to wait
	for i := range n {
		select {
		case <-fired:
		case <-limit:
			t.Fatalf("%d of %d timers fired", i, n)
		}
	}
	p, ok := s.reg.Lookup(pid)
	require.True(t, ok)
	p.mu.Lock()
	defer p.mu.Unlock()
	require.Nil(t, p.ext.timers, "every fired timer was unlisted")
}
