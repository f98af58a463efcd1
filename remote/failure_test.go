package remote_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/remote"
)

func TestOrderAcrossNodes(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	const count = 5000
	dst, ch := probe(t, b.System(), false)
	sender, err := a.System().Spawn(actor.Func(func(ctx actor.Context, msg any) {
		for i := range count {
			if err := ctx.Send(dst, i); err != nil {
				_ = ctx.Send(dst, err.Error())
			}
		}
	}))
	require.NoError(t, err)
	require.NoError(t, a.System().Send(sender, "go"))
	for i := range count {
		require.Equal(t, i, next(t, ch), "message %d out of order", i)
	}
}

// crasher panics on "boom".
func crasher(ctx actor.Context, msg any) {
	if msg == "boom" {
		panic("boom on b")
	}
}

func TestRemotePanicSeenByLinkAndMonitor(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	target, err := b.System().Spawn(actor.Func(crasher))
	require.NoError(t, err)
	w, ch := probe(t, a.System(), false)
	trapper, err := a.System().Spawn(&trapping{fwd: w, target: target})
	require.NoError(t, err)
	require.NoError(t, a.System().Send(trapper, "watch"))
	var exit *actor.Exit
	var down *actor.Down
	for exit == nil || down == nil {
		switch m := next(t, ch).(type) {
		case actor.Exit:
			exit = &m
		case actor.Down:
			down = &m
		}
	}
	for _, reason := range []error{exit.Reason, down.Reason} {
		var pe *actor.PanicError
		require.ErrorAs(t, reason, &pe)
		require.Equal(t, target, pe.PID)
		require.Contains(t, pe.Error(), "boom on b")
		require.False(t, actor.IsClean(reason))
	}
	require.Equal(t, target, exit.From)
	require.Equal(t, target, down.PID)
}

// trapping links to and monitors target, then makes it crash, forwarding
// what arrives.
type trapping struct {
	fwd, target actor.PID
}

func (p *trapping) Init(ctx actor.Context) error {
	ctx.TrapExit(true)
	return nil
}

func (p *trapping) Receive(ctx actor.Context, msg any) {
	if msg == "watch" {
		_ = ctx.Link(p.target)
		_, _ = ctx.Monitor(p.target)
		_ = ctx.Send(p.target, "boom")
		return
	}
	_ = ctx.Send(p.fwd, msg)
}

// watchAll has a trapping process on a link to and monitor every target,
// and returns what it receives.
func watchAll(t *testing.T, n *remote.Node, targets ...actor.PID) <-chan any {
	t.Helper()
	w, ch := probe(t, n.System(), false)
	done := make(chan struct{})
	pid, err := n.System().Spawn(&watching{fwd: w, targets: targets, done: done})
	require.NoError(t, err)
	_ = pid
	<-done
	return ch
}

type watching struct {
	fwd     actor.PID
	targets []actor.PID
	done    chan struct{}
}

func (p *watching) Init(ctx actor.Context) error {
	ctx.TrapExit(true)
	for _, t := range p.targets {
		_ = ctx.Link(t)
		_, _ = ctx.Monitor(t)
	}
	close(p.done)
	return nil
}

func (p *watching) Receive(ctx actor.Context, msg any) { _ = ctx.Send(p.fwd, msg) }

// expectNoConnection waits for one Exit and one Down per target, each with
// NoConnection, and returns when the last came.
func expectNoConnection(t *testing.T, ch <-chan any, targets ...actor.PID) time.Time {
	t.Helper()
	exits, downs := map[actor.PID]int{}, map[actor.PID]int{}
	for len(exits) < len(targets) || len(downs) < len(targets) {
		switch m := next(t, ch).(type) {
		case actor.Exit:
			require.ErrorIs(t, m.Reason, actor.NoConnection)
			exits[m.From]++
		case actor.Down:
			require.ErrorIs(t, m.Reason, actor.NoConnection)
			downs[m.PID]++
		default:
			t.Fatalf("unexpected %#v", m)
		}
	}
	for _, p := range targets {
		require.Equal(t, 1, exits[p], "exits from %v", p)
		require.Equal(t, 1, downs[p], "downs of %v", p)
	}
	return time.Now()
}

func TestNodeCloseGivesNoConnectionOnce(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	var targets []actor.PID
	for range 3 {
		pid, err := b.System().Spawn(actor.Func(echo))
		require.NoError(t, err)
		targets = append(targets, pid)
	}
	ch := watchAll(t, a, targets...)
	start := time.Now()
	require.NoError(t, b.Close())
	at := expectNoConnection(t, ch, targets...)
	t.Logf("NoConnection %v after Close", at.Sub(start))
	require.Less(t, at.Sub(start), margin, "a leaving node is down at once")
	quiet(t, ch, T) // no second Down or Exit, not even after heartbeats time out

	// A link or monitor set up now answers at once.
	start = time.Now()
	ch = watchAll(t, a, targets[0])
	expectNoConnection(t, ch, targets[0])
	require.Less(t, time.Since(start), T/4)
	// A send to it is refused, counted, and says why.
	before := a.System().DeadLetters()
	err := a.System().Send(targets[0], ping{1})
	require.ErrorIs(t, err, remote.ErrNoConnection)
	require.ErrorIs(t, err, actor.NoConnection)
	require.Equal(t, before+1, a.System().DeadLetters())
	_, err = a.System().Request(context.Background(), targets[0], ping{1})
	require.ErrorIs(t, err, actor.NoConnection)
}

func TestHeartbeatsLostGiveNoConnectionWithinT(t *testing.T) {
	ss := cluster(t)
	a := startNode(t, ss[0].ClientURL(), "a")
	// b knows only its own server: when that goes, b is cut off.
	b := startNode(t, ss[1].ClientURL(), "b", func(c *remote.Config) {
		c.Options = append(c.Options, func(o *natsOptions) error {
			o.NoRandomize = true
			o.Servers = []string{ss[1].ClientURL()}
			o.IgnoreDiscoveredServers = true
			return nil
		})
	})
	connected(t, a, "b")
	target, err := b.System().Spawn(actor.Func(echo))
	require.NoError(t, err)
	ch := watchAll(t, a, target)
	// b's side: its process watching a's.
	local, err := a.System().Spawn(actor.Func(echo))
	require.NoError(t, err)
	chB := watchAll(t, b, local)
	got, err := a.System().Request(context.Background(), target, "up")
	require.NoError(t, err)
	require.Equal(t, "up!", got)

	start := time.Now()
	ss[1].Shutdown() // b's connection is lost; a hears nothing more from b
	expectNoConnection(t, chB, local)
	atB := time.Since(start)
	expectNoConnection(t, ch, target)
	atA := time.Since(start)
	t.Logf("NoConnection on b %v (connection lost), on a %v (heartbeats, T=%v)", atB, atA, T)
	// b knows at once, but tells its processes only when a's lease can no
	// longer let a frame of b act: T after the last heartbeat b took.
	require.Less(t, atB, T+margin, "b tells NoConnection within T plus a margin")
	require.Greater(t, atB, T/2, "b waits out a's lease")
	require.Less(t, atA, T+margin, "a sees b down within T plus a margin")
	require.Greater(t, atA, T/2, "a cannot know before heartbeats stop")
	quiet(t, ch, T/2)
}

// TestNoDeliveryAfterNoConnection floods a from b while b loses its
// server and reconnects to another. NATS would hold back what b publishes
// while reconnecting and deliver it later; here every Send refused while
// b is cut off (or after b told its sender NoConnection) is a dead letter
// at b, and nothing of the old session arrives once the new one began.
func TestNoDeliveryAfterNoConnection(t *testing.T) {
	ss := cluster(t)
	a := startNode(t, ss[0].ClientURL(), "a")
	urls := []string{ss[1].ClientURL(), ss[2].ClientURL()}
	b := startNode(t, ss[1].ClientURL(), "b", func(c *remote.Config) {
		c.Options = append(c.Options, func(o *natsOptions) error {
			o.NoRandomize = true
			o.Servers = urls
			return nil
		})
	})
	connected(t, a, "b")
	connected(t, b, "a")
	arrived := make(chan int, 1<<20)
	dst, err := a.System().Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if n, ok := msg.(int); ok {
			arrived <- n
		}
	}), actor.WithMailbox(1<<20, mailbox.Backpressure))
	require.NoError(t, err)
	f := &flooder{dst: dst, told: make(chan struct{}), sent: make(map[int]error)}
	sender, err := b.System().Spawn(f)
	require.NoError(t, err)
	require.NoError(t, b.System().Send(sender, "go"))
	<-arrived        // the flood is under way
	ss[1].Shutdown() // b reconnects to ss[2]
	select {
	case <-f.told:
	case <-time.After(wait):
		t.Fatal("the sender was never told NoConnection")
	}
	connected(t, a, "b") // the nodes meet again, in a new session
	connected(t, b, "a")
	// A marker of the new session arrives after everything of the old
	// one that could still arrive.
	require.NoError(t, b.System().Send(dst, -1))
	require.NoError(t, b.System().Stop(context.Background(), sender)) // f.sent is now ours to read
	refused := 0
	for _, err := range f.sent {
		if err != nil {
			require.ErrorIs(t, err, actor.NoConnection)
			refused++
		}
	}
	got := 0
	for {
		var n int
		select {
		case n = <-arrived:
		case <-time.After(wait):
			t.Fatal("the marker never arrived")
		}
		if n == -1 {
			break
		}
		got++
		require.NoError(t, f.sent[n], "message %d was refused at the sender, yet delivered", n)
	}
	t.Logf("sent %d: %d delivered, %d refused with NoConnection at the sender, %d lost in flight", len(f.sent), got+1, refused, len(f.sent)-got-1-refused)
}

// flooder sends increasing numbers to dst, one per turn, recording what
// each Send returned, until its monitor of dst says NoConnection.
type flooder struct {
	dst  actor.PID
	told chan struct{}
	sent map[int]error
	i    int
	done bool
}

func (f *flooder) Receive(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case string:
		_, _ = ctx.Monitor(f.dst)
		_ = ctx.Send(ctx.Self(), struct{}{})
	case struct{}:
		if f.done {
			return
		}
		f.sent[f.i] = ctx.Send(f.dst, f.i)
		f.i++
		_ = ctx.Send(ctx.Self(), struct{}{})
	case actor.Down:
		if errors.Is(m.Reason, actor.NoConnection) && !f.done {
			f.done = true
			close(f.told)
		}
	}
}

func TestOldIncarnationRefused(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b1 := startNode(t, s.ClientURL(), "b")
	old, err := b1.System().Spawn(actor.Func(echo), actor.WithName("echo"))
	require.NoError(t, err)
	_, err = a.System().Request(context.Background(), old, "hi")
	require.NoError(t, err)
	w, ch := probe(t, a.System(), false)
	ref, err := a.MonitorNode(w, "b")
	require.NoError(t, err)
	defer a.DemonitorNode(ref)
	require.NoError(t, b1.Close())
	require.IsType(t, remote.NodeDown{}, next(t, ch))

	b2 := startNode(t, s.ClientURL(), "b")
	_, err = b2.System().Spawn(actor.Func(echo), actor.WithName("echo"))
	require.NoError(t, err)
	up := next(t, ch).(remote.NodeUp)
	require.Equal(t, b2.Incarnation(), up.Incarnation)

	// The new incarnation answers by name; the old PID names nothing.
	w2, ch2 := probe(t, a.System(), false)
	asker, err := a.System().Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if msg == "ask" {
			_ = ctx.SendNamed("echo@b", ping{5})
			return
		}
		_ = ctx.Send(w2, []any{msg, ctx.Sender()})
	}))
	require.NoError(t, err)
	require.NoError(t, a.System().Send(asker, "ask"))
	got := next(t, ch2).([]any)
	require.Equal(t, pong{5}, got[0])
	_, inc, ok := remote.NodeOf(got[1].(actor.PID))
	require.True(t, ok)
	require.Equal(t, b2.Incarnation(), inc)
	require.NotEqual(t, old, got[1])
	err = a.System().Send(old, "lost")
	require.ErrorIs(t, err, actor.ErrNoProcess)
	chW := watchAllNoProc(t, a, old)
	d := next(t, chW).(actor.Down)
	require.ErrorIs(t, d.Reason, actor.NoProc)
}

func watchAllNoProc(t *testing.T, n *remote.Node, target actor.PID) <-chan any {
	t.Helper()
	w, ch := probe(t, n.System(), false)
	_, err := n.System().Spawn(&monitorOnly{fwd: w, target: target})
	require.NoError(t, err)
	return ch
}

type monitorOnly struct{ fwd, target actor.PID }

func (m *monitorOnly) Init(ctx actor.Context) error {
	_, err := ctx.Monitor(m.target)
	return err
}

func (m *monitorOnly) Receive(ctx actor.Context, msg any) { _ = ctx.Send(m.fwd, msg) }
