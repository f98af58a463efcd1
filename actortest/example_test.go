package actortest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/actortest"
	"github.com/airssys/rt/system"
)

// exampleT stands in for a test's *testing.T so that the examples run and
// check their output; in a test, pass t.
type exampleT struct{ cleanups []func() }

func (e *exampleT) Helper()                           {}
func (e *exampleT) Cleanup(f func())                  { e.cleanups = append(e.cleanups, f) }
func (e *exampleT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
func (e *exampleT) FailNow()                          { panic("test failed") }

// end runs the cleanups, last first, and shuts sys down, as a test's end
// (or actortest.Run) does.
func (e *exampleT) end(sys *system.System) {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	_ = sys.Shutdown(context.Background())
}

// echo answers every message to its sender.
var echo = actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Send(ctx.Sender(), msg) })

func ExampleNewProbe() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	_ = sys.Send(p.PID(), "hello")
	fmt.Println(p.Receive(t).Msg)
	// Output: hello
}

func ExampleWithTimeout() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	// Each wait of this probe fails the test after 100ms.
	p := actortest.NewProbe(t, sys, actortest.WithTimeout(100*time.Millisecond))
	p.ExpectNoMessage(t, 10*time.Millisecond)
	fmt.Println("quiet")
	// Output: quiet
}

func ExampleWithSpawnOptions() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys, actortest.WithSpawnOptions(actor.WithName("listener")))
	pid, _ := sys.Whereis("listener")
	fmt.Println(pid == p.PID())
	// Output: true
}

func ExampleProbe_Expect() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	e, _ := sys.Spawn(echo)
	p.Send(t, e, "ping")
	m := p.Expect(t, "ping")
	fmt.Println(m.Msg, m.Sender == e)
	// Output: ping true
}

func ExampleProbe_Receive() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	_ = sys.Send(p.PID(), 1)
	_ = sys.Send(p.PID(), 2)
	fmt.Println(p.Receive(t).Msg, p.Receive(t).Msg)
	// Output: 1 2
}

func ExampleExpectType() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	type reading struct{ Celsius float64 }
	p := actortest.NewProbe(t, sys)
	_ = sys.Send(p.PID(), reading{21.5})
	r := actortest.ExpectType[reading](t, p)
	fmt.Println(r.Celsius)
	// Output: 21.5
}

func ExampleProbe_ExpectDown() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	worker, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(errors.New("disk full")) }))
	p.Monitor(t, worker)
	_ = sys.Send(worker, "work")
	fmt.Println(p.ExpectDown(t, worker).Reason)
	// Output: disk full
}

func ExampleProbe_ExpectExit() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	p.TrapExit(t, true)
	worker, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { ctx.Stop(errors.New("bad input")) }))
	p.Link(t, worker)
	_ = sys.Send(worker, "work")
	fmt.Println(p.ExpectExit(t, worker).Reason)
	// Output: bad input
}

func ExampleProbe_ExpectNoMessage() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	cancel, _ := sys.SendAfter(time.Hour, p.PID(), "too late")
	p.ExpectNoMessage(t, 10*time.Millisecond) // virtual time in a synctest bubble
	fmt.Println(cancel())
	// Output: true
}

func ExampleProbe_Reply() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	answer := make(chan any)
	go func() {
		v, _ := sys.Request(context.Background(), p.PID(), "time?")
		answer <- v
	}()
	p.Expect(t, "time?")
	p.Reply(t, "noon")
	fmt.Println(<-answer)
	// Output: noon
}

func ExampleProbe_Forward() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p, q := actortest.NewProbe(t, sys), actortest.NewProbe(t, sys)
	_ = sys.Send(p.PID(), "relay me")
	p.Receive(t)
	p.Forward(t, q.PID())
	m := q.Expect(t, "relay me")
	fmt.Println(m.Sender == p.PID())
	// Output: true
}

func ExampleProbe_Send() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	e, _ := sys.Spawn(echo)
	p.Send(t, e, "marco") // from the probe, so the answer comes back to it
	fmt.Println(p.Receive(t).Msg)
	// Output: marco
}

func ExampleProbe_Link() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	p.TrapExit(t, true)
	peer, _ := sys.Spawn(actor.Func(func(actor.Context, any) {}))
	p.Link(t, peer)
	_ = sys.Kill(peer)
	fmt.Println(p.ExpectExit(t, peer).Reason)
	// Output: killed
}

func ExampleProbe_Monitor() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	peer, _ := sys.Spawn(actor.Func(func(actor.Context, any) {}))
	ref := p.Monitor(t, peer)
	_ = sys.Stop(context.Background(), peer)
	d := p.ExpectDown(t, peer)
	fmt.Println(d.Ref == ref, d.Reason)
	// Output: true shutdown
}

func ExampleProbe_TrapExit() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	p.TrapExit(t, true)
	_ = sys.Exit(p.PID(), errors.New("go away")) // trapped: a message, not an exit
	fmt.Println(p.ExpectExit(t, actor.PID{}).Reason, sys.Alive(p.PID()))
	// Output: go away true
}

func ExampleProbe_PID() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	fmt.Println(sys.Alive(p.PID()))
	// Output: true
}

// Run is called from a test function, which examples cannot run; this one
// compiles and shows the shape. The body runs in a synctest bubble, so the
// minute below passes at once.
func ExampleRun() {
	testSomething := func(t *testing.T) {
		actortest.Run(t, func(t *testing.T, sys *system.System) {
			p := actortest.NewProbe(t, sys, actortest.WithTimeout(time.Hour))
			_, _ = sys.SendAfter(time.Minute, p.PID(), "reminder")
			p.Expect(t, "reminder")
		})
	}
	_ = testSomething
}

func ExampleProbe_String() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	fmt.Println(p.String() == "probe "+p.PID().String())
	// Output: true
}

// greeter answers a Request with a greeting and counts the rest.
type greeter struct{ seen int }

func (g *greeter) Receive(ctx actor.Context, msg any) {
	if err := ctx.Reply(fmt.Sprintf("hello, %v", msg)); err != nil {
		g.seen++
		_ = ctx.Send(ctx.Sender(), g.seen)
	}
}

func ExampleNewContext() {
	c := actortest.NewContext()
	var a actor.Actor = actor.Func(func(ctx actor.Context, msg any) {
		_, _ = ctx.SendAfter(time.Minute, ctx.Self(), "reminder")
	})
	c.Deliver(a, actor.PID{}, "go")
	fmt.Println(c.Timers[0].After, c.Timers[0].Msg)
	// Output: 1m0s reminder
}

func ExampleContext_Deliver() {
	c := actortest.NewContext()
	g := &greeter{}
	client := actor.NewPID(1, 42)
	c.Deliver(g, client, "not a request")
	fmt.Println(c.Sent[0].To == client, c.Sent[0].Msg)
	// Output: true 1
}

func ExampleContext_DeliverRequest() {
	c := actortest.NewContext()
	reply, ok := c.DeliverRequest(&greeter{}, actor.NewPID(1, 42), "Ada")
	fmt.Println(reply, ok)
	// Output: hello, Ada true
}

func ExampleContext_SetName() {
	c := actortest.NewContext()
	db := actor.NewPID(1, 9)
	c.SetName("db", db)
	c.Deliver(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.SendNamed("db", msg) }), actor.PID{}, "query")
	fmt.Println(c.Sent[0].To == db, c.Sent[0].Name, c.Sent[0].Msg)
	// Output: true db query
}

func ExampleProbe_Request() {
	t := &exampleT{}
	sys := system.New()
	defer t.end(sys)

	p := actortest.NewProbe(t, sys)
	whoAsks, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(ctx.Sender()) }))
	fmt.Println(p.Request(t, whoAsks, "who?") == p.PID())
	// Output: true
}
