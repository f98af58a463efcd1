package remote_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
	"github.com/airssys/rt/remote"
)

type entry struct{ ID int }
type unsent struct{ ID int } // never registered: refused at the sender

// ledger records, per message id, where it ended.
type ledger struct {
	mu      sync.Mutex
	handled map[int]int
}

func (l *ledger) handle(id int) {
	l.mu.Lock()
	l.handled[id]++
	l.mu.Unlock()
}

// TestLedgerAcrossTwoNodes sends messages from a to receivers on b that
// handle them, die halfway, or refuse them from a tiny DropNewest mailbox,
// with some of a type the codec does not know: every message is handled
// once, or dead-lettered once (at the sender or at the receiving node)
// with a reason, and the sender's error says so when it is its own.
func TestLedgerAcrossTwoNodes(t *testing.T) {
	s := startServer(t)
	a := startNode(t, s.ClientURL(), "a")
	b := startNode(t, s.ClientURL(), "b")
	require.NoError(t, a.Types().Register("entry", entry{}))
	require.NoError(t, b.Types().Register("entry", entry{}))
	dead := map[string]chan actor.DeadLetter{"a": make(chan actor.DeadLetter, 1<<16), "b": make(chan actor.DeadLetter, 1<<16)}
	for name, n := range map[string]*remote.Node{"a": a, "b": b} {
		sub, err := n.System().SubscribeBuffered(func(ev any) bool {
			if d, ok := ev.(actor.DeadLetter); ok {
				dead[name] <- d
			}
			return false
		}, 1)
		require.NoError(t, err)
		defer sub.Close()
	}
	// A node loss during the run would explain a message lost in flight
	// (NATS core is at most once): report one if it happens.
	nodeWatch, nodeEvents := probe(t, a.System(), false)
	connected(t, a, "b")
	nref, err := a.MonitorNode(nodeWatch, "b")
	require.NoError(t, err)
	defer a.DemonitorNode(nref)
	l := &ledger{handled: map[int]int{}}
	recv := func(ctx actor.Context, msg any) {
		if e, ok := msg.(entry); ok {
			l.handle(e.ID)
		}
		_ = ctx.Reply("synced")
	}
	live, err := b.System().Spawn(actor.Func(recv))
	require.NoError(t, err)
	dropping, err := b.System().Spawn(actor.Func(recv), actor.WithMailbox(8, mailbox.DropNewest))
	require.NoError(t, err)
	count := 0
	dying, err := b.System().Spawn(actor.Func(func(ctx actor.Context, msg any) {
		recv(ctx, msg)
		if count++; count == 300 {
			ctx.Stop(actor.Normal)
		}
	}))
	require.NoError(t, err)
	receivers := []actor.PID{live, dropping, dying}

	const senders, perReceiver = 4, 400
	refusedAtSender := make([]map[int]error, senders)
	var wg sync.WaitGroup
	for sn := range senders {
		refusedAtSender[sn] = map[int]error{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perReceiver {
				for ri, r := range receivers {
					id := (sn*perReceiver+i)*len(receivers) + ri
					var msg any = entry{id}
					if id%50 == 0 {
						msg = unsent{id}
					}
					if err := a.System().Send(r, msg); err != nil {
						refusedAtSender[sn][id] = err
					}
				}
			}
			// A Request to the live receiver comes after every frame this
			// goroutine sent: once it is answered, b has taken them all.
			_, _ = a.System().Request(context.Background(), live, "sync")
		}()
	}
	wg.Wait()
	// The live receiver and the dropping one have handled what they queued
	// once a request to each is answered (retried while the tiny mailbox
	// refuses it).
	for _, r := range []actor.PID{live, dropping} {
		for {
			_, err := b.System().Request(context.Background(), r, "sync")
			if err == nil {
				break
			}
			require.ErrorIs(t, err, actor.ErrMailboxFull)
		}
	}
	deadAt := map[int]string{}
	reasons := map[string]int{}
	drain := func(name string) {
		for {
			select {
			case d := <-dead[name]:
				var id int
				switch m := d.Message.(type) {
				case entry:
					id = m.ID
				case unsent:
					id = m.ID
				default:
					continue // the syncs
				}
				require.NotContains(t, deadAt, id, "message %d dead-lettered twice", id)
				require.Error(t, d.Reason)
				deadAt[id] = name
				reasons[name+": "+d.Reason.Error()]++
			default:
				return
			}
		}
	}
	drain("a")
	drain("b")
	total := senders * perReceiver * len(receivers)
	l.mu.Lock()
	defer l.mu.Unlock()
	var missing []int
	for id := range total {
		if l.handled[id] == 0 && deadAt[id] == "" {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		select {
		case ev := <-nodeEvents:
			t.Logf("the nodes lost each other during the run: %#v", ev)
		default:
			t.Log("no node loss was seen during the run")
		}
		t.Errorf("%d messages neither handled nor dead-lettered: %v", len(missing), missing[:min(len(missing), 40)])
	}
	for id := range total {
		h := l.handled[id]
		where, isDead := deadAt[id]
		switch {
		case h == 1 && !isDead:
		case h == 0 && isDead:
			_, refused := refusedAtSender[id/(perReceiver*len(receivers))][id]
			require.Equal(t, where == "a", refused, "message %d: dead at %s, the sender's error must say so iff it was refused there", id, where)
		default:
			t.Fatalf("message %d handled %d times, dead-lettered: %v", id, h, isDead)
		}
	}
	t.Logf("%d messages: %d handled; dead letters by node and reason: %v", total, len(l.handled), reasons)
	require.NotZero(t, reasons["a: "+remote.ErrUnregisteredType.Error()+": remote_test.unsent"])
}
