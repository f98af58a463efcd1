package router_test

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/router"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// named replies with its name and the message.
func named(name string) actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(fmt.Sprint(name, ":", msg)) })
}

func workers(sys *system.System, names ...string) []actor.PID {
	pids := make([]actor.PID, len(names))
	for i, n := range names {
		pids[i], _ = sys.Spawn(named(n))
	}
	return pids
}

func ExampleRoundRobin() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	r, _ := sys.Spawn(router.New(router.Spec{Policy: router.RoundRobin(), Routees: workers(sys, "a", "b", "c")}))
	for i := range 4 {
		s, _ := actor.Ask[string](context.Background(), sys, r, i)
		fmt.Println(s)
	}
	// Output:
	// a:0
	// b:1
	// c:2
	// a:3
}

func ExampleRandom() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	r, _ := sys.Spawn(router.New(router.Spec{Policy: router.Random(), Routees: workers(sys, "a", "b")}))
	seen := map[string]bool{}
	for len(seen) < 2 {
		s, _ := actor.Ask[string](context.Background(), sys, r, "x")
		seen[s] = true
	}
	fmt.Println(len(seen), "routees answered")
	// Output: 2 routees answered
}

type order struct{ customer, item string }

func (o order) HashKey() string { return o.customer }

func ExampleConsistentHash() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	r, _ := sys.Spawn(router.New(router.Spec{Policy: router.ConsistentHash(), Routees: workers(sys, "a", "b", "c")}))
	first, _ := actor.Ask[string](context.Background(), sys, r, order{"ann", "tea"})
	second, _ := actor.Ask[string](context.Background(), sys, r, order{"ann", "cake"})
	fmt.Println(first[:1] == second[:1], "- one customer, one routee")
	_, err := sys.Request(context.Background(), r, "no key")
	fmt.Println(err)
	// Output:
	// true - one customer, one routee
	// router: message has no hash key (implement router.Keyed)
}

func ExampleLeastLoaded() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	release, entered := make(chan struct{}), make(chan struct{})
	busy, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if msg == "block" {
			close(entered)
			<-release
		}
	}))
	idle, _ := sys.Spawn(named("idle"))
	r, _ := sys.Spawn(router.New(router.Spec{Policy: router.LeastLoaded(), Routees: []actor.PID{busy, idle}}))
	_ = sys.Send(busy, "block")
	<-entered
	_ = sys.Send(busy, "queued") // busy now has a backlog
	s, _ := actor.Ask[string](context.Background(), sys, r, "job")
	fmt.Println(s)
	close(release)
	// Output: idle:job
}

func ExampleBroadcast() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	got := make(chan string, 3)
	var pids []actor.PID
	for _, n := range []string{"a", "b", "c"} {
		pid, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { got <- n + ":" + msg.(string) }))
		pids = append(pids, pid)
	}
	r, _ := sys.Spawn(router.New(router.Spec{Policy: router.Broadcast(), Routees: pids}))
	_ = sys.Send(r, "reload")
	var all []string
	for range 3 {
		all = append(all, <-got)
	}
	sort.Strings(all)
	fmt.Println(all)
	// Output: [a:reload b:reload c:reload]
}

// A pool: the router starts three workers under a supervisor it owns; a
// worker that crashes is restarted and rejoins, and the pool is resized at
// run time.
func ExamplePool() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	ctx := context.Background()
	r, _ := sys.Spawn(router.New(router.Spec{
		Policy: router.RoundRobin(),
		Pool: &router.Pool{
			Size: 3,
			Worker: supervisor.Child{ID: "worker", Start: actor.PropsOf(func() actor.Actor {
				return actor.Func(func(ctx actor.Context, msg any) {
					if msg == "poison" {
						panic("bad input")
					}
					_ = ctx.Reply("done " + msg.(string))
				})
			})},
			Supervisor: supervisor.Spec{Intensity: 10, Period: time.Minute},
		},
	}))
	_, err := sys.Request(ctx, r, "poison")
	fmt.Println(err != nil, "- the poisoned worker crashed")
	s, _ := actor.Ask[string](ctx, sys, r, "job")
	fmt.Println(s)
	_ = router.Resize(ctx, sys, r, 5)
	up, _ := router.Routees(ctx, sys, r)
	fmt.Println(len(up), "routees")
	// Output:
	// true - the poisoned worker crashed
	// done job
	// 5 routees
}

// poolOf returns the Spec of a round-robin router over a pool of n
// workers that answer "ok".
func poolOf(n int) router.Spec {
	return router.Spec{Policy: router.RoundRobin(), Pool: &router.Pool{
		Size: n,
		Worker: supervisor.Child{ID: "worker", Start: actor.PropsOf(func() actor.Actor {
			return actor.Func(func(ctx actor.Context, _ any) { _ = ctx.Reply("ok") })
		})},
	}}
}

// Resize grows or shrinks a pool router's pool, and returns once the
// workers have started or stopped.
func ExampleResize() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	ctx := context.Background()
	r, _ := sys.Spawn(router.New(poolOf(2)))
	for _, n := range []int{4, 1} {
		if err := router.Resize(ctx, sys, r, n); err != nil {
			fmt.Println(err)
		}
		up, _ := router.Routees(ctx, sys, r)
		fmt.Println(len(up), "routees")
	}
	fmt.Println(router.Resize(ctx, sys, r, 0))
	// Output:
	// 4 routees
	// 1 routees
	// router: pool size must be at least 1
}

// Routees lists the routees that are up, in slot order.
func ExampleRoutees() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	ctx := context.Background()
	group := workers(sys, "a", "b", "c")
	r, _ := sys.Spawn(router.New(router.Spec{Policy: router.RoundRobin(), Routees: group}))
	up, _ := router.Routees(ctx, sys, r)
	for _, rt := range up {
		fmt.Println(rt.Slot, rt.PID == group[rt.Slot])
	}
	// Output:
	// 0 true
	// 1 true
	// 2 true
}
