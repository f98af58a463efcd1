package system

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
)

// A send finds its process through the registry's send cache; once the
// process has exited the cache no longer answers for it, and a send to it
// fails with ErrNoProcess and is counted as a dead letter.
func TestSendCacheNeverDeliversToTheDead(t *testing.T) {
	sys := New()
	defer sys.Shutdown(context.Background())
	got := make(chan any, 1)
	pid, err := sys.Spawn(actor.Func(func(_ actor.Context, msg any) { got <- msg }))
	require.NoError(t, err)
	require.NoError(t, sys.Send(pid, 1))
	require.Equal(t, 1, <-got)
	p, ok := sys.reg.LookupCached(pid)
	require.True(t, ok)
	require.Equal(t, pid, p.pid)

	require.NoError(t, sys.Stop(context.Background(), pid))
	_, ok = sys.reg.LookupCached(pid)
	require.False(t, ok, "exit empties the entry, so the cache keeps no dead process alive")

	// A send that found p just before the exit pushes to a closed mailbox.
	_, _, err = p.mb.User.Push(context.Background(), envelope{msg: 2})
	require.Error(t, err, "a dead process's mailbox refuses every message")
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
// cache: a lookup can fill the entry after the exit has emptied it.
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
		_, ok := sys.reg.LookupCached(pid)
		require.False(t, ok, "a dead process is still cached")
	}
}
