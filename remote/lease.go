package remote

import (
	"context"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/airssys/rt/actor"
)

// Leases. A node lets a data frame of a session act (a message, a request,
// a reply, a link, monitor or exit signal, a spawn) only while it holds a
// lease from the sender, measured on its own monotonic clock, that proves
// the sender has not yet told any of its processes NoConnection for this
// node. No clock is compared across machines:
//
//  1. A heartbeat carries the sender's stamp (nanoseconds since its Start,
//     on the monotonic clock) and an echo of the newest stamp it has taken
//     from the receiver in the session; the receiver answers it at once
//     with kEcho of that stamp. A hello carries a stamp, an ack a stamp and
//     an echo, and the offerer answers the ack with kEcho on the data lane
//     before any data frame, so that the session's first frames find a
//     lease on both sides.
//  2. Taking an echo e of its own stamp, a node extends the lease to e + L,
//     L = T - T/8 for the shorter T of the two nodes. The peer took stamp e
//     no sooner than e was sent and, by rule 3, tells no process
//     NoConnection sooner than T after that; so while now < e + L here, it
//     has not. The T/8 to spare covers a difference in the two clocks'
//     rates and the time from the check to the push into a mailbox.
//  3. A node tells its processes NoConnection for a session it ended itself
//     (heartbeats stopped, its lease lapsed, its NATS connection was lost,
//     Close) no sooner than T after it took the peer's newest stamp. The
//     failure detector waits that long anyway; the other paths make the
//     session drain until then: no new session starts, a Send, Request,
//     Link or Monitor to the node waits for the drain's end, and a publish
//     that fails on a lost connection returns only then. A session the peer
//     ended (kReset, kBye, a new offer) needs no drain, since the peer
//     refuses its frames from then on; for the same reason a drain ends
//     early when the peer's kReset for it arrives.
//  4. Every data frame is checked against the lease when it is taken,
//     before it acts (one clock read per frame), and a delivery waiting for
//     room in a Backpressure mailbox waits only while the session holds. A
//     lease that lapses while the session is up ends the session on this
//     node, by the lapse timer or by the frame that finds it lapsed: such a
//     frame is a dead letter with ErrLeaseLapsed, the peer is sent kReset,
//     and this node's processes are told NoConnection by rule 3.
//  5. Heartbeats and echoes travel on a lane of their own, a second
//     subscription, so that a node whose data frames wait for a full
//     mailbox still hears its peers and keeps its leases.

// mono is the node's monotonic clock: nanoseconds since Start, never 0.
func (n *Node) mono() int64 { return int64(time.Since(n.epoch)) + 1 }

// leaseLen is L for a peer whose T is peerT (0 when not known).
func (n *Node) leaseLen(peerT uint64) int64 {
	t := n.cfg.Heartbeat
	if pt := time.Duration(peerT); pt > 0 && pt < t {
		t = pt
	}
	return int64(t - t/8)
}

// session is what a session up holds beyond its number.
type session struct {
	sess   uint64
	ctx    context.Context // ends a delivery waiting for room (rule 4)
	cancel context.CancelFunc
	timer  *time.Timer // the lapse timer
	lease  int64       // L
}

// ended is the context of a delivery whose session is already over.
var ended = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// startSession sets up the lease of session sess, whose first stamp from
// the peer, taken at now, is stamp. p.mu held.
func (p *peer) startSession(sess, stamp, peerT uint64, now int64) {
	p.lease.Store(0)
	p.echo.Store(stamp)
	p.stampAt.Store(now)
	ctx, cancel := context.WithCancel(p.n.life)
	s := &session{sess: sess, ctx: ctx, cancel: cancel, lease: p.n.leaseLen(peerT)}
	s.timer = time.AfterFunc(time.Duration(s.lease), func() { p.checkLapse(s) })
	p.live.Store(s)
}

// stopSession ends the lease of the session up. p.mu held.
func (p *peer) stopSession() {
	if s := p.live.Swap(nil); s != nil {
		s.timer.Stop()
		s.cancel()
	}
}

// stamped takes the peer's stamp, taken at now. p.mu held for reading.
func (p *peer) stamped(stamp uint64, now int64) {
	if stamp > p.echo.Load() {
		p.echo.Store(stamp)
		p.stampAt.Store(now)
	}
}

// echoed extends the lease by an echo e of this node's own stamp (rule 2).
func (p *peer) echoed(e uint64, now int64) {
	s := p.live.Load()
	if s == nil || e == 0 || int64(e) > now {
		return // no session, or no stamp of ours
	}
	l := int64(e) + s.lease
	for {
		old := p.lease.Load()
		if l <= old || p.lease.CompareAndSwap(old, l) {
			return
		}
	}
}

// leased reports whether a data frame taken now may act (rule 4).
func (p *peer) leased(now int64) bool { return now < p.lease.Load() }

// checkLapse is the lapse timer of session s: it waits for the lease's
// end as it is extended, and ends the session when it comes.
func (p *peer) checkLapse(s *session) {
	p.mu.RLock()
	if p.live.Load() != s {
		p.mu.RUnlock()
		return
	}
	if now, l := p.n.mono(), p.lease.Load(); now < l {
		s.timer.Reset(time.Duration(l - now))
		p.mu.RUnlock()
		return
	}
	p.mu.RUnlock()
	p.n.log.Warn().Str("node", p.n.cfg.Name).Str("peer", p.name).Msg("lease lapsed")
	p.end(actor.NoConnection, false, true, s.sess)
}

// lapsed refuses a data frame of session sess taken after the lease ended:
// its message is a dead letter, and the session ends (rule 4).
func (p *peer) lapsed(kind byte, r *reader, sess uint64) {
	if kind == kSend || kind == kSendName || kind == kRequest || kind == kRequestName {
		p.n.deadFrame(kind, r, ErrLeaseLapsed)
	}
	p.n.log.Warn().Str("node", p.n.cfg.Name).Str("peer", p.name).Msg("lease lapsed: frame refused")
	p.end(actor.NoConnection, false, true, sess)
}

// drain is a session this node ended itself whose NoConnection waits for
// the peer's lease to run out (rule 3).
type drain struct {
	sess uint64
	e    *ending
	t    *time.Timer
	once sync.Once
	done chan struct{} // closed once told
}

// finish tells the processes NoConnection for the drained session: first
// the links, monitors and calls, then the node monitors, and only then may
// a new session start.
func (p *peer) finish(d *drain) {
	d.once.Do(func() {
		p.mu.Lock() // d.t is set under it
		d.t.Stop()
		p.mu.Unlock()
		d.e.notify(p)
		p.n.nodeEvent(p.name, false, d.e.reason)
		p.mu.Lock()
		if p.drain == d {
			p.drain = nil
		}
		p.mu.Unlock()
		close(d.done)
	})
}

// draining returns the drain under way, if any.
func (p *peer) draining() *drain {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.drain
}

// settle waits, after a publish failed on a lost connection, until the
// peer's lease can no longer let an earlier frame act (rule 3).
func (p *peer) settle() {
	d := time.Duration(p.stampAt.Load() + int64(p.n.cfg.Heartbeat) - p.n.mono())
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	<-t.C
}

// beat sends a frame of kind on p's heartbeat lane. p.mu held.
func (p *peer) beat(kind byte, sess uint64, body ...uint64) {
	if p.n.mute.Load() {
		return
	}
	b := p.n.buf()
	*b = p.n.header(*b, kind, sess)
	for _, v := range body {
		*b = appendUvarint(*b, v)
	}
	_ = p.n.nc.Publish(p.beatSubject, *b)
	p.n.free(b)
}

// handleBeat is the heartbeat lane's handler (rule 5): a heartbeat is
// taken, its stamp kept for the echo and answered, its echo extends the
// lease; an echo extends the lease. Either counts as heard. A frame
// outside the session is ignored: the data lane answers those.
func (n *Node) handleBeat(m *nats.Msg) {
	r := reader{b: m.Data}
	kind := r.byte()
	name := r.bytes()
	inc := r.uvarint()
	sess := r.uvarint()
	if r.bad {
		return
	}
	p, ok := n.peers.Load(string(name))
	if !ok {
		return
	}
	now := n.mono()
	p.mu.RLock()
	defer p.mu.RUnlock()
	if id := p.cur.Load(); p.state != stUp || p.sess != sess || id == nil || id.inc != inc {
		return
	}
	switch kind {
	case kHeartbeat:
		stamp, echo := r.uvarint(), r.uvarint()
		if r.bad {
			return
		}
		p.stamped(stamp, now)
		p.echoed(echo, now)
		p.beat(kEcho, sess, stamp)
	case kEcho:
		p.echoed(r.uvarint(), now)
	default:
		return
	}
	p.frames.Add(1)
}
