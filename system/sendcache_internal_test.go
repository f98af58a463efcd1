package system

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
)

// A send finds its process in the cache; once the process has exited its
// entry is empty, and a dead process still found there (a send racing the
// exit) refuses the message as a registry miss would.
func TestSendCacheNeverDeliversToTheDead(t *testing.T) {
	sys := New()
	defer sys.Shutdown(context.Background())
	got := make(chan any, 1)
	pid, err := sys.Spawn(actor.Func(func(_ actor.Context, msg any) { got <- msg }))
	require.NoError(t, err)
	require.NoError(t, sys.Send(pid, 1))
	require.Equal(t, 1, <-got)
	e := &sys.sendCache[pid.ID()%sendCacheSize]
	p := e.Load()
	require.NotNil(t, p, "the send filled the cache")
	require.Equal(t, pid, p.pid)

	require.NoError(t, sys.Stop(context.Background(), pid))
	require.Nil(t, e.Load(), "exit empties the entry, so the cache keeps no dead process alive")

	e.Store(p) // as if a send had looked pid up just before the exit
	before := sys.DeadLetters()
	require.ErrorIs(t, sys.Send(pid, 2), actor.ErrNoProcess)
	require.Equal(t, before+1, sys.DeadLetters())
	select {
	case m := <-got:
		t.Fatalf("a dead process received %v", m)
	default:
	}
}

// Senders that look a process up while it exits must not leave it in the
// cache: a lookup can fill the entry after finalize has emptied it.
func TestSendCacheKeepsNoDeadProcess(t *testing.T) {
	sys := New()
	defer sys.Shutdown(context.Background())
	for range 500 {
		pid, err := sys.Spawn(actor.Func(func(actor.Context, any) {}))
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for i := range 100 {
					_ = sys.Send(pid, i) // some fail: the process is stopping
				}
			})
		}
		require.NoError(t, sys.Stop(context.Background(), pid))
		wg.Wait()
		if p := sys.sendCache[pid.ID()%sendCacheSize].Load(); p != nil {
			require.NotEqual(t, pid, p.pid, "a dead process is still cached")
		}
	}
}
