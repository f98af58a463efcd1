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
