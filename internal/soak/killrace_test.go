package soak

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

// Found by the chaos soak: a process killed by another goroutine can strand
// messages that Send accepted. finalize (system/process.go) sets the status
// to dead, then removes the process from the registry (and its names), and
// only then closes the user lane. The process's own turn, seeing it dead,
// drains the lane and retires the mailbox while it is still open; a sender
// that had looked the process up earlier (typically one waiting for room in
// a Backpressure mailbox, woken by the drain's pops) then pushes into it:
// Send returns nil, yet the message is never handled nor dead-lettered.
// Here a dozen senders hammer a busy process with a tiny mailbox and many
// names (which lengthen that window) until the test goroutine kills it;
// every message must be handled or dead-lettered. Closing the lane before
// the status says dead fixes it.
func TestKillDuringTurnLosesNothing(t *testing.T) {
	rounds := 3000
	if long() {
		rounds = 100_000
	}
	// The window is between finalize's status change and its Close of the
	// user lane, where it also releases the process's names: many names
	// widen it.
	const senders, aliases = 12, 64
	sys := system.New()
	bg := context.Background()
	defer func() { require.NoError(t, sys.Shutdown(waitCtx(t, 30*time.Second))) }()
	var handled, dead atomic.Int64
	letters := subscribeAll(sys, func(ev any) bool {
		if dl, ok := ev.(actor.DeadLetter); ok {
			if _, ok := dl.Message.(msg); ok {
				dead.Add(1) // counted on the publishing goroutine
			}
		}
		return false
	})
	defer letters.Close()
	var accepted int64
	for r := range rounds {
		busy := make(chan struct{})
		var once sync.Once
		// A tiny Backpressure mailbox keeps senders waiting for room: woken
		// by a pop, they push long after they looked the process up.
		pid, err := sys.Spawn(&aliased{round: r, aliases: aliases, handled: &handled, busy: busy, once: &once},
			actor.WithMailbox(2, mailbox.Backpressure))
		require.NoError(t, err)
		var wg sync.WaitGroup
		var ok atomic.Int64
		for range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ; n++ {
					if err := sys.SendContext(bg, pid, msg{r, n}); err != nil {
						return // dead: this one is a dead letter, and so is every later one
					}
					ok.Add(1)
					if n%8 == 7 {
						runtime.Gosched()
					}
				}
			}()
		}
		<-busy // the process is handling its backlog
		require.NoError(t, sys.Kill(pid))
		wg.Wait()
		accepted += ok.Load()
	}
	require.NoError(t, sys.Shutdown(waitCtx(t, 30*time.Second)))
	// Every accepted message was handled or drained; each refused one is a
	// dead letter too, one per sender per round.
	refused := int64(rounds * senders)
	require.Equal(t, accepted+refused, handled.Load()+dead.Load(),
		"accepted %d + refused %d, handled %d + dead-lettered %d: %d message(s) stranded",
		accepted, refused, handled.Load(), dead.Load(), accepted+refused-handled.Load()-dead.Load())
}

type msg struct{ round, n int }

// aliased registers many names in Init and counts what it handles.
type aliased struct {
	round, aliases int
	handled        *atomic.Int64
	busy           chan struct{}
	once           *sync.Once
}

func (a *aliased) Init(ctx actor.Context) error {
	for i := range a.aliases {
		if err := ctx.Register(fmt.Sprintf("r%d-%d", a.round, i)); err != nil {
			return err
		}
	}
	return nil
}

func (a *aliased) Receive(actor.Context, any) {
	a.handled.Add(1)
	a.once.Do(func() { close(a.busy) })
}
