package system_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

func Example() {
	sys := system.New()
	greeter, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if name, ok := msg.(string); ok {
			_ = ctx.Reply("hello, " + name)
		}
	}), actor.WithName("greeter"))
	if err != nil {
		panic(err)
	}
	reply, err := sys.Request(context.Background(), greeter, "gopher")
	fmt.Println(reply, err)
	fmt.Println(sys.Shutdown(context.Background()))
	// Output:
	// hello, gopher <nil>
	// <nil>
}

func ExampleSystem_Request_targetExits() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	pid, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		ctx.Stop(errors.New("out of coffee")) // exits instead of replying
	}))
	_, err := sys.Request(context.Background(), pid, "espresso")
	var exit *actor.ExitError
	fmt.Println(errors.As(err, &exit), exit.Reason)
	// Output:
	// true out of coffee
}

func ExampleSystem_Shutdown() {
	sys := system.New()
	for i := range 3 {
		_, _ = sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithName(fmt.Sprint("worker-", i)))
	}
	fmt.Println(sys.Processes())
	fmt.Println(sys.Shutdown(context.Background()))
	fmt.Println(sys.Processes(), errors.Is(sys.Send(actor.NewPID(0, 1), "late"), actor.ErrStopped))
	// Output:
	// 3
	// <nil>
	// 0 true
}

func ExampleSystem_Subscribe() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	sub := sys.Subscribe(func(e any) bool { _, ok := e.(actor.DeadLetter); return ok })
	defer sub.Close()
	pid, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(actor.Normal) }))
	_, _ = sys.Request(context.Background(), pid, "stop") // it exits without replying
	_ = sys.Send(pid, "anyone there?")
	ev, _ := sub.Next(context.Background())
	dl := ev.(actor.DeadLetter)
	fmt.Println(dl.Message, dl.Reason)
	// Output:
	// anyone there? actor: no such process: it exited or never existed
}
