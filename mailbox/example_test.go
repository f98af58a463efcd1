package mailbox_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/system"
)

func ExampleQueue() {
	var q mailbox.Queue[string]
	if err := q.Init(2, mailbox.DropNewest); err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, m := range []string{"a", "b", "c"} {
		if _, _, err := q.Push(ctx, m); errors.Is(err, mailbox.ErrFull) {
			fmt.Println("refused", m)
		}
	}
	for v, ok := q.Pop(); ok; v, ok = q.Pop() {
		fmt.Println("got", v)
	}
	// Output:
	// refused c
	// got a
	// got b
}

func ExampleQueue_dropOldest() {
	var q mailbox.Queue[int]
	_ = q.Init(2, mailbox.DropOldest)
	for i := 1; i <= 3; i++ {
		if old, dropped, _ := q.Push(context.Background(), i); dropped {
			fmt.Println("dropped", old)
		}
	}
	for v, ok := q.Pop(); ok; v, ok = q.Pop() {
		fmt.Println("got", v)
	}
	// Output:
	// dropped 1
	// got 2
	// got 3
}

func ExampleRunState() {
	var mb mailbox.Mailbox[string, struct{}]
	_ = mb.Init(8, mailbox.Backpressure)
	_, _, _ = mb.User.Push(context.Background(), "work")
	if mb.State.Notify() {
		// The mailbox was idle: this producer starts the consumer's turn.
		mb.State.Begin()
		for v, ok := mb.User.Pop(); ok; v, ok = mb.User.Pop() {
			fmt.Println("handled", v)
		}
		fmt.Println("idle again:", !mb.EndTurn(true))
	}
	// Output:
	// handled work
	// idle again: true
}

// Each process's mailbox is shaped when it is spawned: a capacity and a
// policy for when it is full. Here a busy process with room for two
// messages is sent three.
func ExamplePolicy() {
	for _, policy := range []mailbox.Policy{mailbox.Backpressure, mailbox.DropNewest, mailbox.DropOldest} {
		sys := system.New()
		release := make(chan struct{})
		got := make(chan any, 3)
		pid, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
			if msg == "hold" {
				_ = ctx.Reply("held")
				<-release // busy: the mailbox fills up
				return
			}
			got <- msg
		}), actor.WithMailbox(2, policy))
		_, _ = sys.Request(context.Background(), pid, "hold")

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		var third error
		for i := 1; i <= 3; i++ {
			third = sys.SendContext(ctx, pid, i) // Backpressure waits for room until ctx ends
		}
		cancel()
		close(release)
		fmt.Println(policy, "| third send:", third, "| handled:", <-got, <-got, "| dead letters:", sys.DeadLetters())
		_ = sys.Shutdown(context.Background())
	}
	// Output:
	// backpressure | third send: context deadline exceeded | handled: 1 2 | dead letters: 1
	// drop-newest | third send: mailbox: full | handled: 1 2 | dead letters: 1
	// drop-oldest | third send: <nil> | handled: 2 3 | dead letters: 1
}
