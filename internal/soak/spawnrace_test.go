package soak

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// initProbe counts the messages it receives before its Init has run.
type initProbe struct {
	initDone bool
	early    int
}

type earlyQuery struct{}

func (a *initProbe) Init(actor.Context) error { a.initDone = true; return nil }

func (a *initProbe) Receive(ctx actor.Context, msg any) {
	if !a.initDone {
		a.early++
	}
	if _, ok := msg.(earlyQuery); ok {
		_ = ctx.Reply(a.early)
	}
}

// Found by the chaos soak: a process spawned with a name is reachable by
// that name (and its PID is in the table) before spawn has marked it as
// needing Init (system/process.go, System.spawn sets needInit and initCh
// after reg.Add and Register). A SendNamed landing in that window starts a
// turn that reads them while spawn writes them — a data race under -race —
// and, without -race, observed: spawn failing with ErrInitTimeout (Init got
// no turn), and a turn blocked for ever sending on a nil initCh, which
// leaks its goroutine and keeps Shutdown waiting. Reading needInit unset
// would also hand messages to Receive before Init. The assertions are the
// documented behaviour: every spawn succeeds, no message precedes Init,
// Shutdown completes.
func TestInitRunsBeforeMessagesSentByName(t *testing.T) {
	sys := system.New()
	bg := context.Background()
	var stop atomic.Bool
	done := make(chan struct{})
	defer func() {
		stop.Store(true)
		<-done
		// Bounded: a turn stuck sending on a nil initCh would keep an
		// unbounded Shutdown waiting for ever.
		ctx, cancel := context.WithTimeout(bg, 2*time.Second)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx), "shutdown")
	}()
	go func() {
		defer close(done)
		for !stop.Load() {
			_ = sys.SendNamed("target", "early")
			runtime.Gosched()
		}
	}()
	rounds := 5000
	if long() {
		rounds = 20_000
	}
	for i := range rounds {
		pid, err := sys.Spawn(&initProbe{}, actor.WithName("target"), actor.WithInitTimeout(2*time.Second))
		require.NoError(t, err, "spawn %d", i)
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		early, err := sys.Request(ctx, pid, earlyQuery{})
		cancel()
		require.NoError(t, err, "round %d", i)
		require.Zero(t, early, "round %d: messages handled before Init", i)
		require.NoError(t, sys.Stop(bg, pid))
	}
}
