package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// counter counts the messages it gets and answers with the count; it
// crashes on "crash".
type counter struct{ n int }

func (c *counter) Receive(ctx actor.Context, msg any) {
	if msg == "crash" {
		panic("counter crashed")
	}
	c.n++
	_ = ctx.Reply(c.n)
}

// A supervisor restarts a crashed child with fresh state. The example
// waits for the restart through the event stream.
func Example() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	restarted := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ChildRestarted); return ok })
	defer restarted.Close()

	_, err := sys.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 3, Period: time.Minute},
		supervisor.Child{ID: "counter", Start: actor.PropsOf(func() actor.Actor { return new(counter) }, actor.WithName("counter"))},
	))
	if err != nil {
		panic(err)
	}
	pid, _ := sys.Whereis("counter")
	sys.Request(ctx, pid, "hit")
	n, _ := sys.Request(ctx, pid, "hit")
	fmt.Println("count:", n)

	_ = sys.Send(pid, "crash")
	ev, _ := restarted.Next(ctx)
	fmt.Println("restarted:", ev.(supervisor.ChildRestarted).ID)

	pid, _ = sys.Whereis("counter")
	n, _ = sys.Request(ctx, pid, "hit")
	fmt.Println("count:", n)
	// Output:
	// count: 2
	// restarted: counter
	// count: 1
}

// A SimpleOneForOne supervisor starts children of one template on demand,
// with arguments.
func ExampleStartChildWith() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	pool, err := sys.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.SimpleOneForOne},
		supervisor.Child{ID: "conn", StartWith: func(args ...any) actor.Props {
			addr := args[0].(string)
			return actor.PropsOf(func() actor.Actor {
				return actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply("connected to " + addr) })
			})
		}},
	))
	if err != nil {
		panic(err)
	}
	var conns []actor.PID
	for _, addr := range []string{"db-1:5432", "db-2:5432"} {
		pid, err := supervisor.StartChildWith(ctx, sys, pool, addr)
		if err != nil {
			panic(err)
		}
		conns = append(conns, pid)
	}
	for _, pid := range conns {
		reply, _ := sys.Request(ctx, pid, "hello")
		fmt.Println(reply)
	}
	_ = supervisor.TerminateChildPID(ctx, sys, pool, conns[0])
	n, _ := supervisor.CountChildren(ctx, sys, pool)
	fmt.Printf("%+v\n", n)
	// Output:
	// connected to db-1:5432
	// connected to db-2:5432
	// {Specs:1 Active:1 Supervisors:0 Workers:1}
}

// The dynamic API answers with OTP's error cases.
func ExampleStartChild() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	sup, _ := sys.Spawn(supervisor.New(supervisor.Spec{}))
	worker := supervisor.Child{ID: "worker", Start: actor.PropsOf(func() actor.Actor {
		return actor.Func(func(actor.Context, any) {})
	})}

	_, err := supervisor.StartChild(ctx, sys, sup, worker)
	fmt.Println(err)
	_, err = supervisor.StartChild(ctx, sys, sup, worker)
	fmt.Println(errors.Is(err, supervisor.ErrAlreadyStarted))
	fmt.Println(supervisor.DeleteChild(ctx, sys, sup, "worker"))
	fmt.Println(supervisor.TerminateChild(ctx, sys, sup, "worker"))
	infos, _ := supervisor.WhichChildren(ctx, sys, sup)
	fmt.Println(infos[0].ID, infos[0].PID.IsZero())
	fmt.Println(supervisor.DeleteChild(ctx, sys, sup, "worker"))
	// Output:
	// <nil>
	// true
	// supervisor: child is running
	// <nil>
	// worker true
	// <nil>
}

// Under Backoff a supervisor never gives up: restarts beyond the intensity
// are delayed, doubling from Base up to Max.
func ExampleBackoff() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	delayed := sys.Subscribe(func(ev any) bool {
		switch ev.(type) {
		case supervisor.RestartDelayed, supervisor.ChildRestarted:
			return true
		}
		return false
	})
	defer delayed.Close()
	_, err := sys.Spawn(supervisor.New(supervisor.Spec{
		Intensity:  supervisor.NoRestarts,
		Escalation: supervisor.Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond},
	}, supervisor.Child{ID: "flaky", Start: actor.PropsOf(func() actor.Actor {
		return actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(errors.New("flaked")) })
	}, actor.WithName("flaky"))}))
	if err != nil {
		panic(err)
	}
	for range 4 {
		pid, _ := sys.Whereis("flaky")
		_ = sys.Send(pid, "work")
		ev, _ := delayed.Next(ctx)
		fmt.Println("restart delayed by", ev.(supervisor.RestartDelayed).Delay)
		_, _ = delayed.Next(ctx) // ChildRestarted
	}
	// Output:
	// restart delayed by 1ms
	// restart delayed by 2ms
	// restart delayed by 4ms
	// restart delayed by 4ms
}

// The strategy decides which children restart with a failed one: b crashes
// under each strategy, and the example lists the children restarted.
func Example_strategies() {
	ctx := context.Background()
	for _, strategy := range []supervisor.Strategy{supervisor.OneForOne, supervisor.OneForAll, supervisor.RestForOne} {
		sys := system.New()
		restarts := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ChildRestarted); return ok })
		var children []supervisor.Child
		for _, id := range []string{"a", "b", "c"} {
			children = append(children, supervisor.Child{ID: id, Start: actor.PropsOf(func() actor.Actor {
				return new(counter) // panics on "crash"
			}, actor.WithName(id))})
		}
		sup, _ := sys.Spawn(supervisor.New(supervisor.Spec{Strategy: strategy}, children...))

		b, _ := sys.Whereis("b")
		_ = sys.Send(b, "crash")
		ev, _ := restarts.Next(ctx)
		// The group restarts in one step: once WhichChildren answers,
		// every restart of the group has been published.
		_, _ = supervisor.WhichChildren(ctx, sys, sup)
		restarted := []string{ev.(supervisor.ChildRestarted).ID}
		for ev, ok := restarts.TryNext(); ok; ev, ok = restarts.TryNext() {
			restarted = append(restarted, ev.(supervisor.ChildRestarted).ID)
		}
		fmt.Println(strategy, restarted)
		restarts.Close()
		_ = sys.Shutdown(ctx)
	}
	// Output:
	// one_for_one [b]
	// one_for_all [a b c]
	// rest_for_one [b c]
}

// The restart type decides whether a child that exits is restarted: here
// each child finishes its work and exits with Normal.
func Example_restartTypes() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	exited := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ChildExited); return ok })
	defer exited.Close()
	finisher := actor.PropsOf(func() actor.Actor {
		return actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(actor.Normal) })
	})
	sup, _ := sys.Spawn(supervisor.New(supervisor.Spec{Intensity: 10},
		supervisor.Child{ID: "permanent", Start: finisher, Restart: supervisor.Permanent},
		supervisor.Child{ID: "transient", Start: finisher, Restart: supervisor.Transient},
		supervisor.Child{ID: "temporary", Start: finisher, Restart: supervisor.Temporary},
	))
	kids, _ := supervisor.WhichChildren(ctx, sys, sup)
	for _, k := range kids {
		_ = sys.Send(k.PID, "work")
	}
	for range kids {
		_, _ = exited.Next(ctx)
	}
	kids, _ = supervisor.WhichChildren(ctx, sys, sup)
	for _, k := range kids {
		fmt.Println(k.ID, "running:", !k.PID.IsZero())
	}
	// Output:
	// permanent running: true
	// transient running: false
}

// Beyond its intensity a supervisor gives up: it stops its children and
// exits with *RestartLimitExceeded, and its own supervisor restarts it, and
// so the whole subtree.
func Example_escalation() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	events := sys.Subscribe(func(ev any) bool {
		switch ev.(type) {
		case supervisor.ChildRestarted, supervisor.GaveUp:
			return true
		}
		return false
	})
	defer events.Close()

	api := supervisor.Child{ID: "api", Start: actor.PropsOf(func() actor.Actor { return new(counter) }, actor.WithName("api"))}
	gateway := supervisor.Child{ID: "gateway", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
		return supervisor.New(supervisor.Spec{Intensity: 1, Period: time.Minute, Escalation: supervisor.Escalate}, api)
	})}
	_, err := sys.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.OneForOne}, gateway))
	if err != nil {
		panic(err)
	}
	for range 2 {
		api, _ := sys.Whereis("api")
		_ = sys.Send(api, "crash")
		ev, _ := events.Next(ctx)
		if up, ok := ev.(supervisor.GaveUp); ok {
			fmt.Println("gateway gave up:", up.Reason)
			ev, _ = events.Next(ctx)
		}
		fmt.Println(ev.(supervisor.ChildRestarted).ID, "restarted")
	}
	// Output:
	// api restarted
	// gateway gave up: supervisor: restart intensity exceeded: more than 1 restart(s) in 1m0s
	// gateway restarted
}

// WhichChildren, walked down every child supervisor, draws the tree.
func ExampleWhichChildren() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	worker := actor.PropsOf(func() actor.Actor { return new(counter) })
	root, _ := sys.Spawn(supervisor.New(supervisor.Spec{},
		supervisor.Child{ID: "cache", Start: worker},
		supervisor.Child{ID: "jobs", Kind: supervisor.Supervisor, Start: actor.PropsOf(func() actor.Actor {
			return supervisor.New(supervisor.Spec{Strategy: supervisor.RestForOne},
				supervisor.Child{ID: "queue", Start: worker},
				supervisor.Child{ID: "runner", Start: worker})
		})},
	))
	var walk func(sup actor.PID, indent string)
	walk = func(sup actor.PID, indent string) {
		kids, _ := supervisor.WhichChildren(ctx, sys, sup)
		for _, k := range kids {
			fmt.Printf("%s%s (%v)\n", indent, k.ID, k.Kind)
			if k.Kind == supervisor.Supervisor {
				walk(k.PID, indent+"  ")
			}
		}
	}
	walk(root, "")
	// Output:
	// cache (worker)
	// jobs (supervisor)
	//   queue (worker)
	//   runner (worker)
}

// A Decider decides per failure where OTP decides by restart type alone:
// under OneForAll, a crashed cache is restarted alone, since the database
// does not depend on it, and any other failure restarts the group.
func ExampleDecider() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	decided := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.Decided); return ok })
	defer decided.Close()

	decide := func(f supervisor.Failure) supervisor.Decision {
		if f.ID == "cache" {
			return supervisor.Decision{Directive: supervisor.RestartAlone, Reason: errors.New("nothing depends on the cache")}
		}
		return supervisor.Decision{Directive: supervisor.Restart} // as the strategy says
	}
	spec := supervisor.Spec{Strategy: supervisor.OneForAll, Intensity: 3, Period: time.Minute, Decide: decide}
	sup, err := sys.Spawn(supervisor.New(spec,
		supervisor.Child{ID: "db", Start: actor.PropsOf(func() actor.Actor { return new(counter) })},
		supervisor.Child{ID: "cache", Start: actor.PropsOf(func() actor.Actor { return new(counter) }, actor.WithName("cache"))},
	))
	if err != nil {
		panic(err)
	}
	before, _ := supervisor.WhichChildren(ctx, sys, sup)
	cache, _ := sys.Whereis("cache")
	_ = sys.Send(cache, "crash")
	ev, _ := decided.Next(ctx)
	d := ev.(supervisor.Decided)
	fmt.Printf("%s: %v (%v)\n", d.ID, d.Decision.Directive, d.Decision.Reason)
	// The decision is carried out in the same turn: once WhichChildren
	// answers, the cache runs again.
	after, _ := supervisor.WhichChildren(ctx, sys, sup)
	fmt.Println("db kept its process:", after[0].PID == before[0].PID)
	fmt.Println("cache restarted:", after[1].PID != before[1].PID && !after[1].PID.IsZero())
	// Output:
	// cache: restart_alone (nothing depends on the cache)
	// db kept its process: true
	// cache restarted: true
}

// Reconfigure changes a running supervisor between two of its messages:
// here a OneForOne supervisor becomes OneForAll, and the next failure
// restarts the whole group. An invalid change is refused with the error
// New would give, and changes nothing.
func ExampleReconfigure() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	restarts := sys.Subscribe(func(ev any) bool { _, ok := ev.(supervisor.ChildRestarted); return ok })
	defer restarts.Close()
	var children []supervisor.Child
	for _, id := range []string{"conn", "worker"} {
		children = append(children, supervisor.Child{ID: id, Start: actor.PropsOf(func() actor.Actor {
			return new(counter)
		}, actor.WithName(id))})
	}
	sup, err := sys.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 5, Period: time.Minute}, children...))
	if err != nil {
		panic(err)
	}

	err = supervisor.Reconfigure(ctx, sys, sup,
		supervisor.WithStrategy(supervisor.OneForAll),
		supervisor.WithIntensity(3))
	fmt.Println("reconfigured:", err)
	err = supervisor.Reconfigure(ctx, sys, sup, supervisor.WithPeriod(-time.Second))
	fmt.Println(errors.Is(err, supervisor.ErrInvalidPeriod))
	spec, _ := supervisor.CurrentSpec(ctx, sys, sup)
	fmt.Println(spec.Strategy, spec.Intensity, spec.Period)

	conn, _ := sys.Whereis("conn")
	_ = sys.Send(conn, "crash")
	for range 2 {
		ev, _ := restarts.Next(ctx)
		fmt.Println("restarted", ev.(supervisor.ChildRestarted).ID)
	}
	// Output:
	// reconfigured: <nil>
	// true
	// one_for_all 3 1m0s
	// restarted conn
	// restarted worker
}

// A Breaker shared by two children that use one database: when one of
// them fails beyond the intensity, the breaker opens for both; after the
// cool-down they are started again one at a time, each on probation, and
// the breaker closes once both stayed up.
func ExampleBreaker() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	events := sys.Subscribe(func(ev any) bool {
		switch ev.(type) {
		case supervisor.BreakerOpened, supervisor.BreakerHalfOpen, supervisor.BreakerClosed:
			return true
		}
		return false
	})
	defer events.Close()
	usesDB := func(id string) supervisor.Child {
		return supervisor.Child{ID: id, Breaker: "db",
			Start: actor.PropsOf(func() actor.Actor { return new(counter) }, actor.WithName(id))}
	}
	_, err := sys.Spawn(supervisor.New(supervisor.Spec{
		Intensity:  supervisor.NoRestarts,
		Escalation: supervisor.Breaker{CoolDown: time.Millisecond, MaxCoolDown: time.Second, Probation: time.Millisecond},
	}, usesDB("orders"), usesDB("payments")))
	if err != nil {
		panic(err)
	}
	orders, _ := sys.Whereis("orders")
	_ = sys.Send(orders, "crash")
	for range 4 {
		ev, _ := events.Next(ctx)
		switch e := ev.(type) {
		case supervisor.BreakerOpened:
			fmt.Println("opened for", e.Children, "after", e.ID, "failed; cool-down", e.CoolDown)
		case supervisor.BreakerHalfOpen:
			fmt.Println("probing", e.ID)
		case supervisor.BreakerClosed:
			fmt.Println("closed")
		}
	}
	// Output:
	// opened for [orders payments] after orders failed; cool-down 1ms
	// probing orders
	// probing payments
	// closed
}

// flaky is a worker whose Check reports a lost connection.
type flaky struct{}

func (flaky) Receive(actor.Context, any) {}

func (flaky) Check(actor.Context) error { return errors.New("connection lost") }

// Health probes a child every Interval; here its Check fails, and after
// two failed probes in a row the supervisor ends it with an
// *UnhealthyError and restarts it.
func ExampleHealth() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	events := sys.Subscribe(func(ev any) bool {
		switch ev.(type) {
		case supervisor.ChildUnhealthy, supervisor.ChildExited, supervisor.ChildRestarted:
			return true
		}
		return false
	})
	defer events.Close()
	_, err := sys.Spawn(supervisor.New(supervisor.Spec{}, supervisor.Child{
		ID:     "conn",
		Start:  actor.PropsOf(func() actor.Actor { return flaky{} }),
		Health: supervisor.Health{Interval: 10 * time.Millisecond, Failures: 2},
	}))
	if err != nil {
		panic(err)
	}
	for range 3 {
		ev, _ := events.Next(ctx)
		switch e := ev.(type) {
		case supervisor.ChildUnhealthy:
			fmt.Println(e.ID, "unhealthy after", e.Failures, "probes:", e.Err)
		case supervisor.ChildExited:
			fmt.Println("exited, unhealthy:", errors.Is(e.Reason, supervisor.ErrUnhealthy))
		case supervisor.ChildRestarted:
			fmt.Println("restarted", e.ID)
		}
	}
	// Output:
	// conn unhealthy after 2 probes: connection lost
	// exited, unhealthy: true
	// restarted conn
}
