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
