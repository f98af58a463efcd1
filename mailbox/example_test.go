package mailbox_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/airssys/rt/mailbox"
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
		if old, dropped, _ := q.Push(nil, i); dropped {
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
	_, _, _ = mb.User.Push(nil, "work")
	if mb.State.Notify() {
		// The mailbox was idle: this producer starts the consumer's turn.
		mb.State.Begin()
		for v, ok := mb.User.Pop(); ok; v, ok = mb.User.Pop() {
			fmt.Println("handled", v)
		}
		fmt.Println("idle again:", mb.State.Release())
	}
	// Output:
	// handled work
	// idle again: true
}
