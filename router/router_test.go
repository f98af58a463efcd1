package router_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/router"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

func group(t *testing.T, sys *system.System, n int, ch chan<- got) []actor.PID {
	pids := make([]actor.PID, n)
	for i := range pids {
		pids[i] = spawn(t, sys, reporter(ch))
	}
	return pids
}

func TestBadInput(t *testing.T) {
	sys := newSystem(t)
	other := system.New()
	defer other.Shutdown(context.Background())
	foreign, err := other.Spawn(actor.Func(func(actor.Context, any) {}))
	require.NoError(t, err)
	ok := spawn(t, sys, actor.Func(func(actor.Context, any) {}))
	worker := supervisor.Child{ID: "w", Start: actor.PropsOf(func() actor.Actor { return actor.Func(func(actor.Context, any) {}) })}
	for _, tc := range []struct {
		name string
		spec router.Spec
		want error
	}{
		{"nil policy", router.Spec{Routees: []actor.PID{ok}}, router.ErrNilPolicy},
		{"no routees", router.Spec{Policy: router.RoundRobin()}, router.ErrNoRoutees},
		{"group and pool", router.Spec{Policy: router.RoundRobin(), Routees: []actor.PID{ok}, Pool: &router.Pool{Size: 1, Worker: worker}}, router.ErrGroupAndPool},
		{"pool of zero", router.Spec{Policy: router.RoundRobin(), Pool: &router.Pool{Worker: worker}}, router.ErrBadSize},
		{"zero PID", router.Spec{Policy: router.RoundRobin(), Routees: []actor.PID{{}}}, actor.ErrZeroPID},
		{"foreign PID", router.Spec{Policy: router.RoundRobin(), Routees: []actor.PID{ok, foreign}}, actor.ErrForeignPID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sys.Spawn(router.New(tc.spec))
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestMessageWithoutKeyIsRefusedNotLost(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 4)
	r := spawn(t, sys, router.New(router.Spec{Policy: router.ConsistentHash(), Routees: group(t, sys, 2, ch)}))
	before := sys.DeadLetters()
	_, err := sys.Request(testCtx(t), r, "no key")
	require.ErrorIs(t, err, router.ErrNoKey)
	require.Equal(t, before+1, sys.DeadLetters())
	_, err = actor.Ask[actor.PID](testCtx(t), sys, r, key("k"))
	require.NoError(t, err)
	recv(t, ch)
	empty(t, ch)
}

func TestRoundRobinOverAGroupIsExact(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 400)
	pids := group(t, sys, 4, ch)
	r := spawn(t, sys, router.New(router.Spec{Policy: router.RoundRobin(), Routees: pids}))
	for i := range 400 {
		require.NoError(t, sys.Send(r, i))
	}
	counts := map[actor.PID]int{}
	for range 400 {
		counts[recv(t, ch).by]++
	}
	require.Equal(t, map[actor.PID]int{pids[0]: 100, pids[1]: 100, pids[2]: 100, pids[3]: 100}, counts)
}

func TestRequestThroughARouterIsAnsweredByTheRoutee(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 4)
	pids := group(t, sys, 2, ch)
	r := spawn(t, sys, router.New(router.Spec{Policy: router.RoundRobin(), Routees: pids}))
	for i := range 4 {
		by, err := actor.Ask[actor.PID](testCtx(t), sys, r, i)
		require.NoError(t, err)
		require.Equal(t, pids[i%2], by)
		g := recv(t, ch)
		require.Equal(t, got{pids[i%2], i}, g)
	}
}

func TestLeastLoadedPrefersTheIdleRoutee(t *testing.T) {
	sys := newSystem(t)
	release, entered := make(chan struct{}), make(chan struct{}, 1)
	ch := make(chan got, 200)
	busy := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
		if msg == "block" {
			entered <- struct{}{}
			<-release
		}
		ch <- got{ctx.Self(), msg}
	}))
	idle := spawn(t, sys, reporter(ch))
	r := spawn(t, sys, router.New(router.Spec{Policy: router.LeastLoaded(), Routees: []actor.PID{busy, idle}}))
	require.NoError(t, sys.Send(busy, "block"))
	recv(t, entered)
	for range 50 {
		require.NoError(t, sys.Send(busy, "backlog"))
	}
	for i := range 20 {
		require.NoError(t, sys.Send(r, i))
	}
	for range 20 {
		require.Equal(t, idle, recv(t, ch).by, "the busy routee has 50 queued")
	}
	close(release)
}

func TestBroadcastReachesEveryRoutee(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 6)
	pids := group(t, sys, 3, ch)
	r := spawn(t, sys, router.New(router.Spec{Policy: router.Broadcast(), Routees: pids}))
	by, err := actor.Ask[actor.PID](testCtx(t), sys, r, "all")
	require.NoError(t, err)
	require.Equal(t, pids[0], by, "the first routee answers")
	seen := map[actor.PID]bool{}
	for range 3 {
		g := recv(t, ch)
		require.Equal(t, "all", g.msg)
		seen[g.by] = true
	}
	require.Len(t, seen, 3)
}

func TestDeadRouteesAreSkippedThenNoneIsUp(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 10)
	pids := group(t, sys, 2, ch)
	r := spawn(t, sys, router.New(router.Spec{Policy: router.RoundRobin(), Routees: pids}))
	require.NoError(t, sys.Stop(testCtx(t), pids[0]))
	for i := range 4 {
		by, err := actor.Ask[actor.PID](testCtx(t), sys, r, i)
		require.NoError(t, err)
		require.Equal(t, pids[1], by, "a dead routee never gets a message")
	}
	require.NoError(t, sys.Stop(testCtx(t), pids[1]))
	before := sys.DeadLetters()
	_, err := sys.Request(testCtx(t), r, "q")
	require.ErrorIs(t, err, router.ErrNoRoutee)
	require.NoError(t, sys.Send(r, "tell"))
	up, err := router.Routees(testCtx(t), sys, r) // after the tell: it was handled
	require.NoError(t, err)
	require.Empty(t, up)
	require.Equal(t, before+2, sys.DeadLetters())
	require.ErrorIs(t, router.Resize(testCtx(t), sys, r, 3), router.ErrNotPool)
}

func TestRoutingAPIOnANonRouter(t *testing.T) {
	sys := newSystem(t)
	echo := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply("?") }))
	_, err := router.Routees(testCtx(t), sys, echo)
	require.ErrorIs(t, err, router.ErrNotRouter)
	require.True(t, errors.Is(router.Resize(testCtx(t), sys, echo, 2), router.ErrNotRouter))
}

// nobody is a Policy that chooses no routee.
type nobody struct{}

func (nobody) Route(any, []router.Routee, func(actor.PID) int) ([]router.Routee, error) {
	return nil, nil
}

// A policy that chooses no routee fails the message with ErrNoRoutee, a
// dead letter, instead of making the router try again for ever.
func TestAPolicyThatChoosesNobodyRefuses(t *testing.T) {
	sys := newSystem(t)
	ch := make(chan got, 4)
	r := spawn(t, sys, router.New(router.Spec{Policy: nobody{}, Routees: group(t, sys, 2, ch)}))
	before := sys.DeadLetters()
	_, err := sys.Request(testCtx(t), r, "anyone?")
	require.ErrorIs(t, err, router.ErrNoRoutee)
	require.Equal(t, before+1, sys.DeadLetters())
	empty(t, ch)
}

// panicky is a concurrent policy of a user's that panics on "bad".
type panicky struct{}

func (panicky) Route(msg any, up []router.Routee, _ func(actor.PID) int) ([]router.Routee, error) {
	if msg == "bad" {
		panic("policy bug")
	}
	return up[:1], nil
}

func (panicky) RoutesConcurrently() {}

// badKey is a message whose HashKey panics.
type badKey struct{}

func (badKey) HashKey() string { panic("key bug") }

// A panic in code of the user's that a router runs while it routes in a
// sender's goroutine (a policy's Route, a message's HashKey) is not the
// sender's: the message is left to the router, which meets the panic in
// its own turn and exits with it, as it would without redirects.
func TestAPanicWhileRoutingIsTheRoutersNotTheSenders(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy router.Policy
		msg    any
		value  string
	}{
		{"policy", panicky{}, "bad", "policy bug"},
		{"hash key", router.ConsistentHash(), badKey{}, "key bug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sys := system.New()
				defer func() { require.NoError(t, sys.Shutdown(context.Background())) }()
				ch := make(chan got, 4)
				r := spawn(t, sys, router.New(router.Spec{Policy: tc.policy, Routees: group(t, sys, 2, ch)}))
				sender := spawn(t, sys, actor.Func(func(ctx actor.Context, msg any) {
					_ = ctx.Send(r, msg)
					_ = ctx.Reply("sent")
				}))
				rmon, err := sys.Monitor(r)
				require.NoError(t, err)
				smon, err := sys.Monitor(sender)
				require.NoError(t, err)
				synctest.Wait() // the router is idle: it routes in its senders' goroutines

				reply, err := sys.Request(context.Background(), sender, tc.msg)
				require.NoError(t, err, "the sender's Send returned")
				require.Equal(t, "sent", reply)
				var pe *actor.PanicError
				require.ErrorAs(t, recv(t, rmon.Down()).Reason, &pe)
				require.Equal(t, tc.value, pe.Value)
				synctest.Wait()
				empty(t, smon.Down())
				empty(t, ch)
			})
		})
	}
}
