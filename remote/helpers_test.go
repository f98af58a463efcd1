package remote_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/remote"
	"github.com/airssys/rt/system"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// T is the heartbeat period of the tests' nodes: short, so that failure
// detection is measured within a test's time.
const T = 300 * time.Millisecond

// margin bounds how late past T a NoConnection may come.
const margin = 2 * T / 3

// wait bounds every wait for something that must happen.
const wait = 5 * time.Second

// startServer starts a NATS server on 127.0.0.1 at a random port, shut
// down when the test ends.
func startServer(t *testing.T, opts ...func(*server.Options)) *server.Server {
	t.Helper()
	o := &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
	for _, f := range opts {
		f(o)
	}
	s, err := server.NewServer(o)
	require.NoError(t, err)
	s.Start()
	require.True(t, s.ReadyForConnections(wait), "server not ready")
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// cluster starts three servers routed to each other and waits until the
// routes are up.
func cluster(t *testing.T) []*server.Server {
	t.Helper()
	seed := startServer(t, func(o *server.Options) {
		o.Cluster.Name = "c"
		o.Cluster.Host = "127.0.0.1"
		o.Cluster.Port = -1
	})
	routes := server.RoutesFromStr(fmt.Sprintf("nats://127.0.0.1:%d", seed.ClusterAddr().Port))
	ss := []*server.Server{seed}
	for range 2 {
		ss = append(ss, startServer(t, func(o *server.Options) {
			o.Cluster.Name = "c"
			o.Cluster.Host = "127.0.0.1"
			o.Cluster.Port = -1
			o.Routes = routes
		}))
	}
	// The routes come up on their own; the tests wait for NodeUp between
	// the nodes they start, which needs them.
	return ss
}

// connected makes n monitor peer and waits until it is up, failing the
// test after wait.
func connected(t *testing.T, n *remote.Node, peer string) {
	t.Helper()
	w, ch := probe(t, n.System(), false)
	ref, err := n.MonitorNode(w, peer)
	require.NoError(t, err)
	defer n.DemonitorNode(ref)
	for _, up := range n.UpNodes() {
		if up == peer {
			return
		}
	}
	for {
		if _, ok := next(t, ch).(remote.NodeUp); ok {
			return
		}
	}
}

type nodeOpt func(*remote.Config)

type natsOptions = nats.Options

// startNode starts a system and a node on it; both end with the test.
func startNode(t *testing.T, url, name string, opts ...nodeOpt) *remote.Node {
	t.Helper()
	sys := system.New()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = sys.Shutdown(ctx)
	})
	cfg := remote.Config{Cluster: "test", Name: name, URL: url, Heartbeat: T,
		Options: []nats.Option{nats.ReconnectWait(20 * time.Millisecond), nats.MaxReconnects(-1)}}
	for _, o := range opts {
		o(&cfg)
	}
	n, err := remote.Start(sys, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, n.Close()) })
	require.NoError(t, n.Types().Register("ping", ping{}))
	require.NoError(t, n.Types().Register("pong", pong{}))
	return n
}

type ping struct{ N int }
type pong struct{ N int }

// probe is a process that hands every message it receives to a channel.
func probe(t *testing.T, sys *system.System, trap bool) (actor.PID, <-chan any) {
	t.Helper()
	p := &prober{ch: make(chan any, 4096), trap: trap}
	pid, err := sys.Spawn(p)
	require.NoError(t, err)
	return pid, p.ch
}

type prober struct {
	ch   chan any
	trap bool
}

func (p *prober) Init(ctx actor.Context) error {
	ctx.TrapExit(p.trap)
	return nil
}

func (p *prober) Receive(_ actor.Context, msg any) { p.ch <- msg }

// next returns the next message on ch, failing the test after wait.
func next(t *testing.T, ch <-chan any) any {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(wait):
		t.Fatal("nothing arrived")
		return nil
	}
}

// quiet asserts that nothing arrives on ch within d.
func quiet(t *testing.T, ch <-chan any, d time.Duration) {
	t.Helper()
	select {
	case m := <-ch:
		t.Fatalf("unexpected %#v", m)
	case <-time.After(d):
	}
}
