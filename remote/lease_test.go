package remote_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/remote"
	"github.com/airssys/rt/system"
)

// arrival is a message handled on the receiving node, and when.
type arrival struct {
	id int
	at time.Time
}

// spawnLedger spawns on sys a process that reports every entry it handles,
// with the time it handled it, on the returned channel.
func spawnLedger(t *testing.T, sys *system.System, opts ...actor.Option) (actor.PID, <-chan arrival) {
	t.Helper()
	ch := make(chan arrival, 1<<16)
	pid, err := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if e, ok := msg.(entry); ok {
			ch <- arrival{e.ID, time.Now()}
		}
	}), opts...)
	require.NoError(t, err)
	return pid, ch
}

// deadEntries reports the entries that become dead letters on sys.
func deadEntries(t *testing.T, sys *system.System) <-chan actor.DeadLetter {
	t.Helper()
	ch := make(chan actor.DeadLetter, 1<<16)
	sub, err := sys.SubscribeBuffered(func(ev any) bool {
		if d, ok := ev.(actor.DeadLetter); ok {
			if _, ok := d.Message.(entry); ok {
				ch <- d
			}
		}
		return false
	}, 1)
	require.NoError(t, err)
	t.Cleanup(sub.Close)
	return ch
}

// downWatcher monitors target and reports its Down, with the time it came.
type downWatcher struct {
	target actor.PID
	ch     chan<- downAt
}

type downAt struct {
	d  actor.Down
	at time.Time
}

func (w *downWatcher) Init(ctx actor.Context) error {
	_, err := ctx.Monitor(w.target)
	return err
}

func (w *downWatcher) Receive(ctx actor.Context, msg any) {
	if d, ok := msg.(actor.Down); ok {
		w.ch <- downAt{d, time.Now()}
	}
}

// TestNothingDeliveredAfterSenderToldNoConnection has a send to a process
// on b without pause while b stops taking frames and falls silent: a
// declares b down and its monitor gets Down with NoConnection; only then
// does b take its backlog, which holds frames a published before. With
// the lease, b refuses them all; every message a's Send accepted was
// either handled on b before the Down came on a, or is a dead letter on b
// that says why. (Both times are read in this one process.)
func TestNothingDeliveredAfterSenderToldNoConnection(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	for _, n := range []*remote.Node{a, b} {
		require.NoError(t, n.Types().Register("entry", entry{}))
	}
	connected(t, a, "b")
	connected(t, b, "a")
	recv, arrived := spawnLedger(t, b.System())
	dead := deadEntries(t, b.System())
	downs := make(chan downAt, 1)
	_, err := a.System().Spawn(&downWatcher{target: recv, ch: downs})
	require.NoError(t, err)

	// The sender: a burst of messages every millisecond until stopped.
	stop, stopped := make(chan struct{}), make(chan struct{})
	var accepted []int
	go func() {
		defer close(stopped)
		tk := time.NewTicker(time.Millisecond)
		defer tk.Stop()
		for id := 0; ; {
			select {
			case <-stop:
				return
			case <-tk.C:
			}
			for range 5 {
				if a.System().Send(recv, entry{id}) == nil {
					accepted = append(accepted, id)
				}
				id++
			}
		}
	}()
	delivered := map[int]time.Time{}
	for len(delivered) < 200 { // the flow is under way
		select {
		case m := <-arrived:
			delivered[m.id] = m.at
		case <-time.After(wait):
			t.Fatal("nothing arrived on b")
		}
	}

	release := remote.HoldInbound(b)
	defer release()
	remote.MuteBeats(b, true)
	start := time.Now()
	var down downAt
	select {
	case down = <-downs:
	case <-time.After(wait):
		t.Fatal("a never saw b down")
	}
	require.ErrorIs(t, down.d.Reason, actor.NoConnection)
	close(stop)
	<-stopped // accepted is now ours to read
	t.Logf("a told NoConnection %v after b fell silent (T=%v)", down.at.Sub(start), T)
	require.Less(t, down.at.Sub(start), T+margin, "a sees b down within T plus a margin")
	release()
	remote.MuteBeats(b, false)

	deadAt := map[int]error{}
	timeout := time.After(wait)
	for len(delivered)+len(deadAt) < len(accepted) {
		select {
		case m := <-arrived:
			require.NotContains(t, delivered, m.id, "message %d handled twice", m.id)
			delivered[m.id] = m.at
		case d := <-dead:
			id := d.Message.(entry).ID
			require.NotContains(t, deadAt, id, "message %d dead-lettered twice", id)
			deadAt[id] = d.Reason
		case <-timeout:
			t.Fatalf("%d messages accepted, %d handled, %d dead letters: some were lost", len(accepted), len(delivered), len(deadAt))
		}
	}
	late, lapsed := 0, 0
	for _, id := range accepted {
		at, handled := delivered[id]
		reason, isDead := deadAt[id]
		require.True(t, handled != isDead, "message %d: handled %v, dead letter %v", id, handled, isDead)
		if handled && !at.Before(down.at) {
			late++
		}
		if isDead {
			require.ErrorIs(t, reason, remote.ErrNoConnection, "message %d", id)
			if errors.Is(reason, remote.ErrLeaseLapsed) {
				lapsed++
			}
		}
	}
	t.Logf("%d messages accepted: %d handled before the Down, %d handled after it, %d dead letters on b (%d refused by the lapsed lease)",
		len(accepted), len(delivered)-late, late, len(deadAt), lapsed)
	require.Zero(t, late, "messages handled on b after a told its processes NoConnection")
	require.NotZero(t, len(deadAt), "b's backlog held frames of a")
}

// TestLeaseHoldsUnderLoad runs a pair of nodes flooding each other for
// 4T, Request included right after Start, then holds a receiver with a
// tiny Backpressure mailbox for 2T while messages wait for it: no node is
// ever seen down, no message is refused or lost, none arrives out of order.
func TestLeaseHoldsUnderLoad(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	nodes := []*remote.Node{a, b}
	srv, err := b.System().Spawn(actor.Func(echo))
	require.NoError(t, err)
	// Nothing has been sent between them yet: the first Request opens the
	// session and its frames must find a lease on both sides.
	got, err := a.System().Request(context.Background(), srv, "first")
	require.NoError(t, err)
	require.Equal(t, "first!", got)

	var events []<-chan any
	for i, n := range nodes {
		require.NoError(t, n.Types().Register("entry", entry{}))
		w, ch := probe(t, n.System(), false)
		connected(t, n, nodes[1-i].Name())
		ref, err := n.MonitorNode(w, nodes[1-i].Name())
		require.NoError(t, err)
		defer n.DemonitorNode(ref)
		events = append(events, ch)
	}
	var deadCount atomic.Int64
	for _, n := range nodes {
		sub, err := n.System().SubscribeBuffered(func(ev any) bool {
			if _, ok := ev.(actor.DeadLetter); ok {
				deadCount.Add(1)
			}
			return false
		}, 1)
		require.NoError(t, err)
		defer sub.Close()
	}

	// Both ways at once, for 4T.
	counts := make([]atomic.Int64, 2)
	recvs := make([]actor.PID, 2)
	for i, n := range nodes {
		recvs[i], err = n.System().Spawn(actor.Func(func(ctx actor.Context, msg any) {
			if _, ok := msg.(entry); ok {
				counts[i].Add(1)
			} else if msg == "sync" {
				_ = ctx.Reply("synced")
			}
		}))
		require.NoError(t, err)
	}
	sent := make([]int64, 2)
	var wg sync.WaitGroup
	end := time.Now().Add(4 * T)
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to := recvs[1-i]
			tk := time.NewTicker(time.Millisecond)
			defer tk.Stop()
			for range tk.C {
				if time.Now().After(end) {
					return
				}
				for range 50 {
					if n.System().Send(to, entry{int(sent[i])}) == nil {
						sent[i]++
					}
				}
			}
		}()
	}
	wg.Wait()
	for i, n := range nodes {
		// A request after the last message: once answered, all have come.
		_, err := n.System().Request(context.Background(), recvs[1-i], "sync")
		require.NoError(t, err)
		require.Equal(t, sent[i], counts[1-i].Load(), "messages from %s", n.Name())
	}
	t.Logf("sent %d and %d messages over %v", sent[0], sent[1], 4*T)

	// A receiver that takes nothing for 2T: b's data lane waits for room.
	gate := make(chan struct{})
	arrived := make(chan int, 64)
	slow, err := b.System().Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if e, ok := msg.(entry); ok {
			<-gate
			arrived <- e.ID
		}
	}), actor.WithMailbox(4, mailbox.Backpressure))
	require.NoError(t, err)
	const held = 32
	for i := range held {
		require.NoError(t, a.System().Send(slow, entry{i}))
	}
	for _, ch := range events {
		quiet(t, ch, T)
	}
	timer := time.NewTimer(T)
	<-timer.C // b has held its frames for 2T by now
	close(gate)
	for i := range held {
		select {
		case id := <-arrived:
			require.Equal(t, i, id)
		case <-time.After(wait):
			t.Fatalf("message %d never arrived", i)
		}
	}
	for _, ch := range events {
		select {
		case ev := <-ch:
			t.Fatalf("node event under load: %#v", ev)
		default:
		}
	}
	require.Zero(t, deadCount.Load(), "dead letters in a healthy pair")
}
