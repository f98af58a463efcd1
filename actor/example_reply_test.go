package actor_test

import (
	"context"
	"fmt"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// A front process passes requests on to a worker, which answers the
// original requester directly.
func ExampleContext_Forward() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	worker, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Reply(fmt.Sprintf("worker did %v", msg))
	}))
	front, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		_ = ctx.Forward(worker)
	}))
	v, err := sys.Request(context.Background(), front, "job-1")
	fmt.Println(v, err)
	// Output: worker did job-1 <nil>
}

// A cache answers a lookup once a loader has sent the value: the handler
// keeps the reply with ReplyLater and answers from a later message,
// without blocking the cache meanwhile.
func ExampleContext_ReplyLater() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	type load struct{ key string }
	type loaded struct{ key, value string }
	loader, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		k := msg.(load).key
		_ = ctx.Send(ctx.Sender(), loaded{k, "value of " + k})
	}))
	waiting := map[string][]actor.Deferred{}
	cache, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch m := msg.(type) {
		case string: // a lookup: answered when the value is loaded
			d, _ := ctx.ReplyLater()
			waiting[m] = append(waiting[m], d)
			_ = ctx.Send(loader, load{m})
		case loaded:
			for _, d := range waiting[m.key] {
				_ = d.Reply(m.value)
			}
			delete(waiting, m.key)
		}
	}))
	v, err := sys.Request(context.Background(), cache, "k")
	fmt.Println(v, err)
	// Output: value of k <nil>
}

// A batcher holds the messages it gets until it has two, then passes them
// on, in order, to the process behind it: each keeps its sender, and a
// Request among them is answered from behind the batcher.
func ExampleContext_Hold() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	got := make(chan string, 2)
	behind, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		got <- fmt.Sprint("handled ", msg)
		_ = ctx.Reply("done") // answers the Request; nothing for a plain message
	}))
	var held []actor.Held
	batcher, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		h, _ := ctx.Hold()
		if held = append(held, h); len(held) < 2 {
			return
		}
		for _, h := range held {
			_ = h.Forward(behind)
		}
		held = nil
	}))
	_ = sys.Send(batcher, "first")
	v, err := sys.Request(context.Background(), batcher, "second")
	fmt.Println(<-got)
	fmt.Println(<-got)
	fmt.Println(v, err)
	// Output:
	// handled first
	// handled second
	// done <nil>
}
