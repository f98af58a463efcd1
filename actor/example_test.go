package actor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

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

// An actor can be a plain function: actor.Func adapts it. Request and Reply
// make a call that waits for its answer.
func ExampleFunc() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	echo, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Reply(fmt.Sprint("echo: ", msg))
	}))
	reply, err := sys.Request(context.Background(), echo, "hi")
	fmt.Println(reply, err)
	// Output: echo: hi <nil>
}

// conn shows the optional callbacks: Init runs before the first message,
// Terminate when the process exits, with its reason.
type conn struct{ log []string }

func (c *conn) Init(ctx actor.Context) error {
	c.log = append(c.log, "open")
	return nil
}

func (c *conn) Receive(ctx actor.Context, msg any) {
	c.log = append(c.log, fmt.Sprint("got ", msg))
	_ = ctx.Reply("ok")
}

func (c *conn) Terminate(ctx actor.Context, reason error) {
	c.log = append(c.log, fmt.Sprint("close: ", reason))
}

func ExampleTerminator() {
	sys := system.New()
	c := &conn{}
	pid, _ := sys.Spawn(c)
	_, _ = sys.Request(context.Background(), pid, "query")
	_ = sys.Stop(context.Background(), pid) // waits until Terminate has run
	fmt.Println(c.log)
	_ = sys.Shutdown(context.Background())
	// Output: [open got query close: shutdown]
}

// Init can refuse to start: Spawn returns its error and the process never
// runs.
func ExampleInitializer() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	_, err := sys.Spawn(&failingInit{})
	fmt.Println(err)
	// Output: database unreachable
}

type failingInit struct{}

func (failingInit) Init(actor.Context) error   { return errors.New("database unreachable") }
func (failingInit) Receive(actor.Context, any) {}

// An actor asks another with Context.Request, bounded by a context; the
// process's own context ends when it exits.
func ExampleContext_Request() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	prices, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Reply(42)
	}))
	shop, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		rctx, cancel := context.WithTimeout(ctx.Context(), time.Second)
		defer cancel()
		price, err := ctx.Request(rctx, prices, msg)
		if err != nil {
			_ = ctx.Reply(err)
			return
		}
		_ = ctx.Reply(fmt.Sprintf("%v costs %v", msg, price))
	}))
	reply, _ := sys.Request(context.Background(), shop, "coffee")
	fmt.Println(reply)
	// Output: coffee costs 42
}

// SendAfter delivers a message later: a timeout, a tick, a retry.
func ExampleContext_SendAfter() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	fired := make(chan any, 1)
	pid, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch msg {
		case "start":
			_, _ = ctx.SendAfter(time.Millisecond, ctx.Self(), "tick")
			_ = ctx.Reply("started")
		case "tick":
			fired <- msg
		}
	}))
	reply, _ := sys.Request(context.Background(), pid, "start")
	fmt.Println(reply)
	fmt.Println(<-fired)
	// Output:
	// started
	// tick
}

// A panic ends the actor alone; its exit reason is a *PanicError with the
// value and the stack.
func ExamplePanicError() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	pid, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		var m map[string]int
		m["boom"]++ // assignment to entry in nil map
	}))
	_, err := sys.Request(context.Background(), pid, "go")
	var pe *actor.PanicError
	fmt.Println(errors.As(err, &pe), pe.Value, len(pe.Stack()) > 0)
	fmt.Println(actor.IsClean(err))
	// Output:
	// true assignment to entry in nil map true
	// false
}

// Exit reasons are errors: compare them with errors.Is. Normal and
// Shutdown, even wrapped, are clean.
func ExampleIsClean() {
	for _, reason := range []error{
		actor.Normal,
		fmt.Errorf("maintenance: %w", actor.Shutdown),
		actor.Killed,
		errors.New("disk full"),
	} {
		fmt.Println(reason, actor.IsClean(reason))
	}
	// Output:
	// normal true
	// maintenance: shutdown true
	// killed false
	// disk full false
}

// PIDs are small comparable values: use them with == and as map keys.
func ExamplePID() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	a, _ := sys.Spawn(actor.Func(func(actor.Context, any) {}))
	b, _ := sys.Spawn(actor.Func(func(actor.Context, any) {}))
	seen := map[actor.PID]string{a: "a", b: "b"}
	fmt.Println(a == b, seen[b], actor.PID{}.IsZero(), actor.PID{})
	// Output: false b true <0.0>
}
