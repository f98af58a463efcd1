package actor_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

func TestAsk(t *testing.T) {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	failed := errors.New("no such account")
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch msg {
		case "int":
			_ = ctx.Reply(42)
		case "err":
			_ = ctx.Reply(failed)
		case "nil":
			_ = ctx.Reply(nil)
		case "string":
			_ = ctx.Reply("text")
		}
	}))
	require.NoError(t, err)
	ctx := context.Background()

	n, err := actor.Ask[int](ctx, sys, pid, "int")
	require.NoError(t, err)
	require.Equal(t, 42, n)

	_, err = actor.Ask[int](ctx, sys, pid, "err")
	require.ErrorIs(t, err, failed, "an error reply is the failure")

	e, err := actor.Ask[error](ctx, sys, pid, "err")
	require.NoError(t, err, "unless an error is what was asked for")
	require.Equal(t, failed, e)

	_, err = actor.Ask[int](ctx, sys, pid, "string")
	require.ErrorIs(t, err, actor.ErrReplyType)
	var te *actor.ReplyTypeError
	require.ErrorAs(t, err, &te)
	require.Equal(t, &actor.ReplyTypeError{Want: "int", Got: "string", Reply: "text"}, te)
	require.Equal(t, "actor: reply of type string, want int", err.Error())

	p, err := actor.Ask[*int](ctx, sys, pid, "nil")
	require.NoError(t, err)
	require.Nil(t, p)
	_, err = actor.Ask[int](ctx, sys, pid, "nil")
	require.ErrorIs(t, err, actor.ErrReplyType, "nil is no int")

	require.NoError(t, sys.Stop(ctx, pid))
	_, err = actor.Ask[int](ctx, sys, pid, "int")
	require.ErrorIs(t, err, actor.ErrNoProcess, "the Request's own errors as they are")
}

func TestAskFromInsideAnActor(t *testing.T) {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	adder, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply(msg.(int) + 1) }))
	require.NoError(t, err)
	asker, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		n, err := actor.Ask[int](ctx.Context(), ctx, adder, msg)
		if err != nil {
			_ = ctx.Reply(err)
			return
		}
		_ = ctx.Reply(n * 10)
	}))
	require.NoError(t, err)
	n, err := actor.Ask[int](context.Background(), sys, asker, 1)
	require.NoError(t, err)
	require.Equal(t, 20, n)
}

// Ask returns a typed reply, and an error reply as its error.
func ExampleAsk() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	errUnknown := errors.New("unknown account")
	balances := map[string]int{"alice": 10}
	bank, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if n, ok := balances[msg.(string)]; ok {
			_ = ctx.Reply(n)
			return
		}
		_ = ctx.Reply(errUnknown) // an error reply means failure
	}))
	n, err := actor.Ask[int](context.Background(), sys, bank, "alice")
	fmt.Println(n, err)
	_, err = actor.Ask[int](context.Background(), sys, bank, "bob")
	fmt.Println(errors.Is(err, errUnknown))
	_, err = actor.Ask[string](context.Background(), sys, bank, "alice")
	fmt.Println(err)
	// Output:
	// 10 <nil>
	// true
	// actor: reply of type int, want string
}
