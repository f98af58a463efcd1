package actor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// counter keeps state between messages: Receive is never concurrent.
type counter struct{ n int }

func (c *counter) Init(ctx actor.Context) error { c.n = 10; return nil }

func (c *counter) Receive(ctx actor.Context, msg any) {
	switch msg {
	case "inc":
		c.n++
	case "get":
		_ = ctx.Reply(c.n)
	}
}

func ExampleActor() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	pid, _ := sys.Spawn(&counter{})
	_ = sys.Send(pid, "inc")
	_ = sys.Send(pid, "inc")
	n, _ := sys.Request(context.Background(), pid, "get")
	fmt.Println(n)
	// Output: 12
}

func ExampleContext_Monitor() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	worker, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { panic("bad input") }))
	downs := make(chan actor.Down, 1)
	watcher, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case actor.PID:
			_, _ = ctx.Monitor(m)
			_ = ctx.Reply("watching")
		case actor.Down:
			downs <- m
		}
	}))
	_, _ = sys.Request(context.Background(), watcher, worker)
	_ = sys.Send(worker, "crash")
	d := <-downs
	var pe *actor.PanicError
	fmt.Println(d.PID == worker, errors.As(d.Reason, &pe), pe.Value)
	// Output: true true bad input
}

func ExampleContext_TrapExit() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	exits := make(chan actor.Exit, 1)
	parent, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case string:
			ctx.TrapExit(true)
			child, _ := ctx.SpawnLink(actor.Func(func(ctx actor.Context, msg any) {
				ctx.Stop(errors.New("child failed"))
			}))
			_ = ctx.Send(child, "work")
			_ = ctx.Reply(nil)
		case actor.Exit:
			exits <- m
		}
	}))
	_, _ = sys.Request(context.Background(), parent, "start")
	fmt.Println((<-exits).Reason)
	fmt.Println(sys.Alive(parent))
	// Output:
	// child failed
	// true
}

func ExampleNewConfig() {
	_, err := actor.NewConfig(actor.WithMailbox(0, 0))
	fmt.Println(errors.Is(err, actor.ErrInvalidOption))
	// Output: true
}
