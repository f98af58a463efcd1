package system_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/rs/zerolog"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
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

// Code outside any actor waits for a process to exit, with its reason.
func ExampleSystem_Monitor() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	pid, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(errors.New("done badly")) }))
	m, _ := sys.Monitor(pid)
	_ = sys.Send(pid, "go")
	d, _ := m.Wait(context.Background())
	fmt.Println(d.PID == pid, d.Reason)
	// Output:
	// true done badly
}

// The system is silent unless given a logger. Here a zerolog console
// writer, trimmed of the fields that change from run to run.
func ExampleWithLogger() {
	logger := zerolog.New(zerolog.ConsoleWriter{
		Out:           os.Stdout,
		NoColor:       true,
		PartsExclude:  []string{zerolog.TimestampFieldName},
		FieldsExclude: []string{"system", "pid"},
	}).Level(zerolog.InfoLevel)
	sys := system.New(system.WithLogger(logger))
	store, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		ctx.Stop(errors.New("disk full"))
	}), actor.WithName("store"))
	_, _ = sys.Request(context.Background(), store, "write") // returns the store's exit
	_ = sys.Shutdown(context.Background())                   // waits for every process, so for the log too
	// Output:
	// ERR process crashed name=store reason="disk full"
}

// Spawn options name a process and shape its mailbox.
func ExampleSystem_Spawn() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg) }),
		actor.WithName("echo"),
		actor.WithMailbox(64, mailbox.DropNewest),
	)
	fmt.Println(err)
	found, ok := sys.Whereis("echo")
	fmt.Println(found == pid, ok)
	_, err = sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithName("echo"))
	fmt.Println(errors.Is(err, actor.ErrNameTaken))
	// Output:
	// <nil>
	// true true
	// true
}

// Stop asks a process to exit (exit signal Shutdown) and waits until it has;
// its name is then free.
func ExampleSystem_Stop() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	pid, _ := sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithName("job"))
	fmt.Println(sys.Stop(context.Background(), pid))
	_, registered := sys.Whereis("job")
	fmt.Println(sys.Alive(pid), registered)
	fmt.Println(errors.Is(sys.Send(pid, "late"), actor.ErrNoProcess), sys.DeadLetters())
	// Output:
	// <nil>
	// false false
	// true 1
}

// Kill cannot be trapped or refused; monitors see the reason Killed.
func ExampleSystem_Kill() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	victim, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { ctx.TrapExit(true) }))
	downs := make(chan actor.Down, 1)
	watcher, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case actor.PID:
			_, _ = ctx.Monitor(m)
			_ = ctx.Reply(nil)
		case actor.Down:
			downs <- m
		}
	}))
	_, _ = sys.Request(context.Background(), watcher, victim)
	_ = sys.Kill(victim)
	fmt.Println((<-downs).Reason)
	// Output: killed
}
