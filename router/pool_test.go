package router_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/router"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// poolSpec is a pool of n workers made by newWorker, restarted up to 1000
// times a minute.
func poolSpec(p router.Policy, n int, newWorker func() actor.Actor) router.Spec {
	return router.Spec{Policy: p, Pool: &router.Pool{
		Size:       n,
		Worker:     supervisor.Child{ID: "worker", Start: actor.PropsOf(newWorker)},
		Supervisor: supervisor.Spec{Intensity: 1000, Period: time.Minute},
	}}
}

// restarts subscribes to the pool supervisor's restarts.
func restarts(sys *system.System) *system.Subscription {
	return sys.Subscribe(func(e any) bool { _, ok := e.(supervisor.ChildRestarted); return ok })
}

func slotOf(t *testing.T, sys *system.System, r actor.PID) map[actor.PID]int {
	up, err := router.Routees(testCtx(t), sys, r)
	require.NoError(t, err)
	m := map[actor.PID]int{}
	for _, rt := range up {
		m[rt.PID] = rt.Slot
	}
	return m
}

func TestPoolRouteeRejoinsAfterRestart(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 100)
	sub := restarts(sys)
	defer sub.Close()
	r := spawn(t, sys, router.New(poolSpec(router.RoundRobin(), 2, func() actor.Actor { return reporter(ch) })))
	before := slotOf(t, sys, r)
	require.Len(t, before, 2)
	var victim actor.PID
	for pid, s := range before {
		if s == 0 {
			victim = pid
		}
	}
	require.NoError(t, sys.Kill(victim))
	ev, err := sub.Next(testCtx(t))
	require.NoError(t, err)
	fresh := ev.(supervisor.ChildRestarted).PID
	// The restart was published after the new worker's Init, which told
	// the router first; a request sent now is handled after that note.
	after := slotOf(t, sys, r)
	require.Equal(t, 0, after[fresh], "the restarted worker is back in its slot")
	require.Len(t, after, 2)
	seen := map[actor.PID]int{}
	for i := range 4 {
		by, err := actor.Ask[actor.PID](testCtx(t), sys, r, i)
		require.NoError(t, err)
		seen[by]++
	}
	require.Equal(t, 2, seen[fresh])
}

func TestResizeAPool(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 100)
	r := spawn(t, sys, router.New(poolSpec(router.RoundRobin(), 2, func() actor.Actor { return reporter(ch) })))
	require.NoError(t, router.Resize(testCtx(t), sys, r, 4))
	require.Len(t, slotOf(t, sys, r), 4)
	seen := map[actor.PID]bool{}
	for i := range 8 {
		by, err := actor.Ask[actor.PID](testCtx(t), sys, r, i)
		require.NoError(t, err)
		seen[by] = true
	}
	require.Len(t, seen, 4, "new workers get their turn")
	up := slotOf(t, sys, r)
	require.NoError(t, router.Resize(testCtx(t), sys, r, 1))
	now := slotOf(t, sys, r)
	require.Len(t, now, 1)
	for pid, s := range up {
		if s > 0 {
			require.False(t, sys.Alive(pid), "the workers of removed slots are stopped")
		}
	}
	require.ErrorIs(t, router.Resize(testCtx(t), sys, r, 0), router.ErrBadSize)
}

func TestConsistentHashIsStableUnderRestarts(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 1000)
	sub := restarts(sys)
	defer sub.Close()
	r := spawn(t, sys, router.New(poolSpec(router.ConsistentHash(), 4, func() actor.Actor { return reporter(ch) })))
	slotFor := func(keys []key) map[key]int {
		slots := slotOf(t, sys, r)
		m := map[key]int{}
		for _, k := range keys {
			by, err := actor.Ask[actor.PID](testCtx(t), sys, r, k)
			require.NoError(t, err)
			m[k] = slots[by]
		}
		return m
	}
	keys := make([]key, 50)
	for i := range keys {
		keys[i] = key(string(rune('a'+i%26)) + string(rune('A'+i/26)))
	}
	before := slotFor(keys)
	for pid := range slotOf(t, sys, r) {
		require.NoError(t, sys.Kill(pid))
		_, err := sub.Next(testCtx(t))
		require.NoError(t, err)
	}
	// Every worker restarted once: new PIDs, the same slots.
	require.Equal(t, before, slotFor(keys))
}

// Routees killed under load: every message is delivered once or is a dead
// letter once, never both, never neither.
func TestKillUnderLoadLedger(t *testing.T) {
	sys := newSystem(t)
	type job struct{ id int }
	const senders, perSender = 4, 500
	const total = senders * perSender
	var delivered [total]int32
	var mu sync.Mutex
	dead, err := sys.SubscribeBuffered(func(e any) bool {
		d, ok := e.(actor.DeadLetter)
		if ok {
			_, ok = d.Message.(job)
		}
		return ok
	}, 4*total)
	require.NoError(t, err)
	defer dead.Close()
	sub := restarts(sys)
	defer sub.Close()
	r := spawn(t, sys, router.New(poolSpec(router.RoundRobin(), 4, func() actor.Actor {
		return actor.Func(func(ctx actor.Context, msg any) {
			if j, ok := msg.(job); ok {
				mu.Lock()
				delivered[j.id]++
				mu.Unlock()
			}
		})
	})), actor.WithMailbox(4*total, mailbox.Backpressure))
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range perSender {
				_ = sys.Send(r, job{s*perSender + i})
			}
		})
	}
	kills := 0
	for range 6 {
		up, err := router.Routees(testCtx(t), sys, r)
		require.NoError(t, err)
		if len(up) == 0 {
			continue
		}
		require.NoError(t, sys.Kill(up[kills%len(up)].PID))
		kills++
		_, err = sub.Next(testCtx(t))
		require.NoError(t, err)
	}
	wg.Wait()
	require.Positive(t, kills)
	require.NoError(t, sys.Shutdown(testCtx(t)))
	require.Zero(t, dead.Dropped())
	lettered := make([]int, total)
	for {
		ev, ok := dead.TryNext()
		if !ok {
			break
		}
		lettered[ev.(actor.DeadLetter).Message.(job).id]++
	}
	var nDelivered, nDead int
	for id := range total {
		require.Equal(t, 1, int(delivered[id])+lettered[id], "job %d: delivered %d, dead letters %d", id, delivered[id], lettered[id])
		nDelivered += int(delivered[id])
		nDead += lettered[id]
	}
	t.Logf("%d kills: %d delivered, %d dead letters", kills, nDelivered, nDead)
}

// gated is a worker that panics on "poison" and, once restarted, waits in
// Init for the gate to open.
type gated struct {
	starts *atomic.Int32
	gate   chan struct{}
	ch     chan<- got
}

func (g *gated) Init(actor.Context) error {
	if g.starts.Add(1) > 1 {
		<-g.gate
	}
	return nil
}

func (g *gated) Receive(ctx actor.Context, msg any) {
	if msg == "poison" {
		panic("poison")
	}
	g.ch <- got{ctx.Self(), msg}
	_ = ctx.Reply(msg)
}

// With every worker restarting, a pool router holds up to Spec.Hold
// messages and routes them, in order, when a worker is back; beyond Hold
// it refuses them.
func TestPoolHoldsWhileNoWorkerIsUp(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 10)
	gate := make(chan struct{})
	var starts atomic.Int32
	spec := poolSpec(router.RoundRobin(), 1, func() actor.Actor { return &gated{starts: &starts, gate: gate, ch: ch} })
	spec.Hold = 2
	r := spawn(t, sys, router.New(spec))
	_, err := sys.Request(testCtx(t), r, "poison")
	var pe *actor.PanicError
	require.ErrorAs(t, err, &pe, "the worker crashed; its restart waits at the gate")
	before := sys.DeadLetters()
	for i := range 3 {
		require.NoError(t, sys.Send(r, i))
	}
	up, err := router.Routees(testCtx(t), sys, r) // handled after the three
	require.NoError(t, err)
	require.Empty(t, up, "no worker is up")
	require.Equal(t, before+1, sys.DeadLetters(), "the third is beyond Hold: refused")
	empty(t, ch)
	close(gate)
	require.Equal(t, 0, recv(t, ch).msg, "held messages go first, in order")
	require.Equal(t, 1, recv(t, ch).msg)
}

func TestRouterExitRefusesWhatItHolds(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 10)
	gate := make(chan struct{})
	defer close(gate)
	var starts atomic.Int32
	spec := poolSpec(router.RoundRobin(), 1, func() actor.Actor { return &gated{starts: &starts, gate: gate, ch: ch} })
	spec.Hold = 10
	r := spawn(t, sys, router.New(spec))
	_, err := sys.Request(testCtx(t), r, "poison")
	require.Error(t, err)
	dead := sys.Subscribe(func(e any) bool { d, ok := e.(actor.DeadLetter); return ok && d.Message == "held" })
	defer dead.Close()
	require.NoError(t, sys.Send(r, "held"))
	_, err = router.Routees(testCtx(t), sys, r) // handled after it: it is held
	require.NoError(t, err)
	_, early := dead.TryNext()
	require.False(t, early, "held, not refused")
	require.NoError(t, sys.Stop(testCtx(t), r))
	ev, err := dead.Next(testCtx(t))
	require.NoError(t, err)
	require.ErrorIs(t, ev.(actor.DeadLetter).Reason, router.ErrNoRoutee)
}

// gatedInit is a pool worker whose Init waits for its gate, if it has one: the
// gates are by start, in the order the pool starts workers.
type gatedInit struct {
	gate <-chan struct{}
}

func (g *gatedInit) Init(ctx actor.Context) error {
	if g.gate != nil {
		<-g.gate
	}
	return nil
}

func (g *gatedInit) Receive(ctx actor.Context, msg any) { _ = ctx.Reply(ctx.Self()) }

// A worker's note to its router is never refused nor waited for: the
// router may be blocked in a Resize, its mailbox full, while the worker
// starts or restarts.
func TestPoolNoteNeverRefused(t *testing.T) {
	for _, policy := range []mailbox.Policy{mailbox.DropNewest, mailbox.Backpressure} {
		t.Run(policy.String(), func(t *testing.T) {
			actortest.Run(t, func(t *testing.T, sys *system.System) {
				restartGate, resizeGate := make(chan struct{}), make(chan struct{})
				var starts atomic.Int32
				newWorker := func() actor.Actor {
					switch starts.Add(1) {
					case 2: // worker 0's restart
						return &gatedInit{gate: restartGate}
					case 3: // the worker Resize adds
						return &gatedInit{gate: resizeGate}
					}
					return &gatedInit{}
				}
				sub := restarts(sys)
				defer sub.Close()
				r := spawn(t, sys, router.New(poolSpec(router.RoundRobin(), 1, newWorker)),
					actor.WithMailbox(1, policy))
				synctest.Wait() // the worker's note is handled: the mailbox is empty
				first := slotOf(t, sys, r)
				require.Len(t, first, 1)
				var w0 actor.PID
				for pid := range first {
					w0 = pid
				}

				// Worker 0 crashes; its restart waits in Init. Resize then
				// blocks the router behind it at the supervisor.
				require.NoError(t, sys.Kill(w0))
				synctest.Wait()
				resized := make(chan error, 1)
				go func() { resized <- router.Resize(context.Background(), sys, r, 2) }()
				synctest.Wait()
				// The router is blocked: fill its mailbox.
				require.NoError(t, sys.Send(r, "filler"))
				if policy == mailbox.DropNewest {
					require.ErrorIs(t, sys.Send(r, "refused"), actor.ErrMailboxFull)
				}
				close(restartGate) // worker 0's Init ends: its note meets a full mailbox
				ev, err := sub.Next(testCtx(t))
				require.NoError(t, err)
				fresh := ev.(supervisor.ChildRestarted).PID
				close(resizeGate)
				require.NoError(t, <-resized)
				synctest.Wait() // the router has drained its one-message mailbox
				up := slotOf(t, sys, r)
				require.Equal(t, 0, up[fresh], "the restarted worker rejoined its slot")
				require.Len(t, up, 2)
			})
		})
	}
}
