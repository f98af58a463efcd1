package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newSystem(t testing.TB) *system.System {
	t.Helper()
	sys := system.New()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownLimit)
		defer cancel()
		require.NoError(t, sys.Shutdown(ctx))
	})
	return sys
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

func spawn(t testing.TB, sys *system.System, a actor.Actor, opts ...actor.Option) actor.PID {
	t.Helper()
	pid, err := sys.Spawn(a, opts...)
	require.NoError(t, err)
	return pid
}

// reporter is a routee that sends got{self, msg} to ch and replies with
// its own PID.
type got struct {
	by  actor.PID
	msg any
}

func reporter(ch chan<- got) actor.Actor {
	return actor.Func(func(ctx actor.Context, msg any) {
		ch <- got{ctx.Self(), msg}
		_ = ctx.Reply(ctx.Self())
	})
}

type key string

func (k key) HashKey() string { return string(k) }
