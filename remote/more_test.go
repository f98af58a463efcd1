package remote_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/remote"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// worker is the kind the supervision tests place on other nodes.
func worker(args any) (actor.Actor, []actor.Option, error) {
	return actor.Func(echo), nil, nil
}

func whereChildren(t *testing.T, sys *system.System, sup actor.PID) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	infos, err := supervisor.WhichChildren(ctx, sys, sup)
	require.NoError(t, err)
	at := map[string]string{}
	for _, c := range infos {
		if c.PID.IsZero() {
			continue
		}
		node, _, ok := remote.NodeOf(c.PID)
		require.True(t, ok)
		at[c.ID] = node
	}
	return at
}

func TestDistributedSupervisionAcrossNodeLoss(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	c := startNode(t, s.ClientURL(), "c")
	for _, n := range []*remote.Node{b, c} {
		require.NoError(t, n.RegisterKind("worker", worker))
	}
	connected(t, a, "b")
	connected(t, a, "c")
	place := remote.Prefer("b", "c")
	sup, err := a.System().Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.OneForOne, Intensity: 10, Period: time.Minute},
		a.Child(supervisor.Child{ID: "w1", Restart: supervisor.Permanent}, "worker", nil, place),
		a.Child(supervisor.Child{ID: "w2", Restart: supervisor.Transient}, "worker", "args", place),
		a.Child(supervisor.Child{ID: "w3", Restart: supervisor.Temporary}, "worker", nil, place),
	))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"w1": "b", "w2": "b", "w3": "b"}, whereChildren(t, a.System(), sup))

	events := a.System().Subscribe(nil)
	defer events.Close()
	start := time.Now()
	require.NoError(t, b.Close())
	// w1 and w2 come back on c; w3, temporary, is forgotten.
	deadline := time.Now().Add(wait)
	for {
		at := whereChildren(t, a.System(), sup)
		if at["w1"] == "c" && at["w2"] == "c" {
			_, has := at["w3"]
			require.False(t, has)
			break
		}
		require.True(t, time.Now().Before(deadline), "children not restarted on c: %v", at)
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		_, err := events.Next(ctx) // a supervision event: look again
		cancel()
		require.NoError(t, err)
	}
	t.Logf("restarted on c %v after b closed", time.Since(start))
	// The restarted children answer.
	infos, err := supervisor.WhichChildren(context.Background(), a.System(), sup)
	require.NoError(t, err)
	for _, ci := range infos {
		got, err := a.System().Request(context.Background(), ci.PID, "hi")
		require.NoError(t, err)
		require.Equal(t, "hi!", got)
	}
	// Stopping the supervisor stops its remote children.
	require.NoError(t, a.System().Stop(context.Background(), sup))
	for _, ci := range infos {
		d, err := c.System().Monitor(ci.PID)
		require.NoError(t, err)
		got, err := d.Wait(context.Background())
		require.NoError(t, err)
		require.True(t, errors.Is(got.Reason, actor.Shutdown) || errors.Is(got.Reason, actor.NoProc), "%v", got.Reason)
	}
}

func TestAuthRefusedWithWrongCredentials(t *testing.T) {
	s := startServer(t, func(o *server.Options) {
		o.Username, o.Password = "rt", "secret"
	})
	sys := system.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()
	cfg := remote.Config{Cluster: "test", Name: "a", URL: s.ClientURL(), Heartbeat: T,
		Options: []nats.Option{nats.UserInfo("rt", "wrong"), nats.MaxReconnects(0)}}
	_, err := remote.Start(sys, cfg)
	require.ErrorIs(t, err, nats.ErrAuthorization)
	cfg.Options = []nats.Option{nats.UserInfo("rt", "secret")}
	n, err := remote.Start(sys, cfg)
	require.NoError(t, err)
	require.NoError(t, n.Close())
}

func TestBadInput(t *testing.T) {
	s := startServer(t, func(o *server.Options) { o.MaxPayload = 4096 })
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	dst, ch := probe(t, b.System(), false)
	type unregistered struct{ X int }

	cases := []struct {
		name string
		msg  any
		want error
	}{
		{"unregistered type", unregistered{1}, remote.ErrUnregisteredType},
		{"over max payload", strings.Repeat("x", 5000), remote.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := a.System().DeadLetters()
			require.ErrorIs(t, a.System().Send(dst, c.msg), c.want)
			require.Equal(t, before+1, a.System().DeadLetters(), "a dead letter at the sender")
			_, err := a.System().Request(context.Background(), dst, c.msg)
			require.ErrorIs(t, err, c.want)
		})
	}
	require.NoError(t, a.System().Send(dst, "fits"))
	require.Equal(t, "fits", next(t, ch))

	type withPID struct{ P actor.PID }
	require.ErrorIs(t, a.Types().Register("withPID", withPID{}), remote.ErrPIDInMessage)
	require.Error(t, a.Types().Register("ping", pong{}), "a name taken by another type")

	sys := a.System()
	for _, cfg := range []remote.Config{
		{Name: "x", URL: s.ClientURL()},
		{Cluster: "test", Name: "a.b", URL: s.ClientURL()},
		{Cluster: "test", Name: "x"},
		{Cluster: "test", Name: "x", URL: s.ClientURL(), Heartbeat: time.Millisecond},
	} {
		_, err := remote.Start(sys, cfg)
		require.ErrorIs(t, err, remote.ErrBadConfig, "%+v", cfg)
	}
	nc, err := nats.Connect(s.ClientURL())
	require.NoError(t, err)
	defer nc.Close()
	_, err = remote.Start(system.New(), remote.Config{Cluster: "test", Name: "y", Conn: nc})
	require.ErrorIs(t, err, remote.ErrBuffering)

	// A kind not registered is refused by the node asked.
	_, err = a.Spawn(context.Background(), "b", "nothing", nil)
	require.ErrorIs(t, err, remote.ErrUnknownKind)
	// A node that never answers is unreachable after T.
	start := time.Now()
	err = a.System().SendNamed("x@nowhere", "lost")
	require.ErrorIs(t, err, actor.NoConnection)
	require.Less(t, time.Since(start), T+margin)
}

// TestExistingConn runs a node on a connection the caller made.
func TestExistingConn(t *testing.T) {
	s := startServer(t)
	nc, err := nats.Connect(s.ClientURL(), nats.ReconnectBufSize(-1))
	require.NoError(t, err)
	defer nc.Close()
	sys := system.New()
	defer func() { _ = sys.Shutdown(context.Background()) }()
	n, err := remote.Start(sys, remote.Config{Cluster: "test", Name: "own", Conn: nc, Heartbeat: T})
	require.NoError(t, err)
	b := startNode(t, s.ClientURL(), "b")
	dst, err := b.System().Spawn(actor.Func(echo))
	require.NoError(t, err)
	got, err := sys.Request(context.Background(), dst, "via own conn")
	require.NoError(t, err)
	require.Equal(t, "via own conn!", got)
	require.NoError(t, n.Close())
	require.True(t, nc.IsConnected(), "a connection the caller made stays open")
}
