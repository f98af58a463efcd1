package remote

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/airssys/rt/actor"
)

// Peer states. A peer is unknown until its first session, up while a
// session holds, and down after it; a down peer is offered a new session
// every T/4, and comes up again (perhaps as a new incarnation).
const (
	stUnknown = iota
	stUp
	stDown
)

// Sessions. A session is a number one node offers another (kHello) and
// the other accepts (kAck); every data frame carries it, and a node takes
// a data frame only in the session it holds with the sender. So:
//
//  1. Once a node has declared a peer down (and told its processes
//     NoConnection), no frame of the old session is taken from that peer:
//     it is a dead letter here, and the peer is sent kReset, which makes it
//     declare this node down in turn.
//  2. No frame of an ended session is sent: sends hold p.mu for reading
//     and check the session; ending one takes p.mu for writing.
//  3. When both nodes offer at once, the larger offer wins on both.
//  4. An offer from a peer that holds a session with this node, or from a
//     new incarnation of it, ends the old session first: the peer considers
//     this node down, or restarted.
type peer struct {
	n       *Node
	name    string
	subject string

	beatSubject string // the peer's heartbeat lane (see lease.go)

	mu     sync.RWMutex // state; held for reading by every send
	state  int
	sess   uint64
	pend   uint64 // our outstanding offer
	cur    atomic.Pointer[nodeID]
	ready  chan struct{} // closed at the first session
	heard  atomic.Int64  // Node.mono when frames last moved, as the tick saw it
	frames atomic.Uint64 // frames of the session taken, on either lane
	seen   uint64        // frames at the previous tick; tick only
	drain  *drain        // a session ended here, its NoConnection not yet told (lease.go, rule 3)

	live    atomic.Pointer[session] // the session up, nil when none (lease.go)
	lease   atomic.Int64            // Node.mono until which its data frames may act
	echo    atomic.Uint64           // the peer's newest stamp taken in the session
	stampAt atomic.Int64            // Node.mono when that stamp was taken

	bk      sync.Mutex // bookkeeping, for NoConnection
	links   map[link]struct{}
	outMons map[uint64]outMon    // by wire ref
	outRefs map[actor.Ref]uint64 // wire ref of a local monitor
	inMons  map[actor.Ref]inMon  // by the local Ref issued for it
	inKeys  map[inKey]actor.Ref
	calls   map[uint64]*call
	reset   uint64 // the last stale session answered with kReset
}

type link struct{ local, remote actor.PID }

type outMon struct {
	watcher actor.PID
	ref     actor.Ref
	target  actor.PID
}

type inKey struct {
	watcher uint64 // id on the peer
	wref    uint64
}

type inMon struct {
	key    inKey
	target actor.PID
}

// call is a request or a spawn waiting for its answer.
type call struct {
	target actor.PID
	ch     chan result
}

type result struct {
	v   any
	err error
}

func newPeer(n *Node, name string) *peer {
	return &peer{
		n: n, name: name, subject: subjectOf(n.cfg.Cluster, name), beatSubject: beatSubjectOf(n.cfg.Cluster, name),
		ready: make(chan struct{}),
		links: make(map[link]struct{}), outMons: make(map[uint64]outMon), outRefs: make(map[actor.Ref]uint64),
		inMons: make(map[actor.Ref]inMon), inKeys: make(map[inKey]actor.Ref), calls: make(map[uint64]*call),
	}
}

// accepts reports whether a data frame of session sess from incarnation
// inc belongs to the session held.
func (p *peer) accepts(inc, sess uint64) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	id := p.cur.Load()
	return p.state == stUp && sess == p.sess && id != nil && id.inc == inc
}

// offer sends a new offer unless the peer is up.
func (p *peer) offer() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == stUp || p.drain != nil || p.n.closed.Load() {
		return
	}
	p.pend = rand.Uint64() | 1
	p.hello()
}

// hello sends our offer p.pend, with our stamp and T. p.mu held.
func (p *peer) hello() {
	p.control(kHello, p.pend, uint64(p.n.mono()), uint64(p.n.cfg.Heartbeat))
}

// ack accepts session sess, with our stamp, the echo of the peer's newest
// stamp, and our T. p.mu held.
func (p *peer) ack(sess uint64) {
	p.control(kAck, sess, uint64(p.n.mono()), p.echo.Load(), uint64(p.n.cfg.Heartbeat))
}

// control sends a frame of kind with session sess and no body. p.mu held.
func (p *peer) control(kind byte, sess uint64, body ...uint64) {
	b := p.n.buf()
	*b = p.n.header(*b, kind, sess)
	for _, v := range body {
		*b = appendUvarint(*b, v)
	}
	_ = p.n.publish(p, *b)
	p.n.free(b)
}

// ensure makes sure p is up: a peer never contacted is offered a session
// and waited for up to T; a peer down answers ErrNoConnection at once, or
// once the session it ended has drained (lease.go, rule 3).
func (n *Node) ensure(p *peer) error {
	if n.closed.Load() {
		return ErrClosed
	}
	p.mu.RLock()
	st, ready, d := p.state, p.ready, p.drain
	p.mu.RUnlock()
	switch st {
	case stUp:
		return nil
	case stDown:
		if d != nil {
			<-d.done
		}
		return ErrNoConnection
	}
	p.mu.Lock()
	if p.state == stUnknown && p.pend == 0 {
		// One offer for all who wait: a new one would end the session
		// the peer may be accepting (rule 4).
		p.pend = rand.Uint64() | 1
		p.hello()
	}
	p.mu.Unlock()
	t := time.NewTimer(n.cfg.Heartbeat)
	defer t.Stop()
	select {
	case <-ready:
	case <-t.C:
	case <-n.stop:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == stUp {
		return nil
	}
	p.state = stDown
	return ErrNoConnection
}

// onHello takes an offer of session sess from incarnation inc, with the
// peer's stamp and T, taken at now. An offer while a session drains is
// left unanswered: the peer offers again every T/4.
func (p *peer) onHello(inc, sess uint64, r *reader, now int64) {
	stamp, peerT := r.uvarint(), r.uvarint()
	if p.n.closed.Load() || sess == 0 || r.bad {
		return
	}
	p.mu.Lock()
	id := p.cur.Load()
	if p.state == stUp && p.sess == sess && id != nil && id.inc == inc {
		p.ack(sess) // a repeated offer: its ack was lost
		p.mu.Unlock()
		return
	}
	if p.drain != nil {
		p.mu.Unlock()
		return
	}
	if p.state != stUp && p.pend > sess {
		p.hello() // ours wins (rule 3): offer it again
		p.mu.Unlock()
		return
	}
	var ended *ending
	if p.state == stUp {
		ended = p.endLocked(actor.NoConnection) // rule 4
	}
	p.upLocked(inc, sess, stamp, peerT, now)
	p.ack(sess) // before any data frame of the session
	p.mu.Unlock()
	ended.notify(p)
	p.n.nodeEvent(p.name, true, nil)
}

// onAck takes the acceptance of our offer sess, with the peer's stamp, its
// echo of ours and its T, taken at now; its echo of the peer's stamp goes
// out before any data frame of the session (lease.go, rule 1).
func (p *peer) onAck(inc, sess uint64, r *reader, now int64) {
	stamp, echo, peerT := r.uvarint(), r.uvarint(), r.uvarint()
	p.mu.Lock()
	if p.state == stUp || p.drain != nil || sess != p.pend || sess == 0 || r.bad {
		p.mu.Unlock()
		return
	}
	p.upLocked(inc, sess, stamp, peerT, now)
	p.echoed(echo, now)
	p.control(kEcho, sess, stamp)
	p.mu.Unlock()
	p.n.nodeEvent(p.name, true, nil)
}

// upLocked starts session sess with incarnation inc, whose stamp, taken
// at now, is stamp and whose T is peerT. p.mu held.
func (p *peer) upLocked(inc, sess, stamp, peerT uint64, now int64) {
	id := idFor(p.n.cfg.Cluster, p.name, inc)
	if old := p.cur.Load(); old != nil && old != id && old.inc < inc {
		old.dead.Store(true) // its PIDs name processes that are gone
	}
	p.cur.Store(id)
	p.state, p.sess, p.pend = stUp, sess, 0
	p.heard.Store(now)
	p.startSession(sess, stamp, peerT, now)
	select {
	case <-p.ready:
	default:
		close(p.ready)
	}
	p.n.log.Info().Str("node", p.n.cfg.Name).Str("peer", id.String()).Msg("node up")
}

// onReset ends the session the peer says it no longer has; the peer
// refuses its frames from now on, so a drain of that session ends too.
func (p *peer) onReset(inc, sess uint64) {
	p.mu.RLock()
	match := p.state == stUp && p.sess == sess
	d := p.drain
	p.mu.RUnlock()
	if match {
		p.end(actor.NoConnection, false, false, sess)
	} else if d != nil && d.sess == sess {
		p.finish(d)
	}
}

// stale refuses a data frame outside the session (rule 1).
func (p *peer) stale(kind byte, r *reader, sess uint64) {
	if kind == kSend || kind == kSendName || kind == kRequest || kind == kRequestName {
		p.n.deadFrame(kind, r, ErrNoConnection)
	}
	p.bk.Lock()
	answer := p.reset != sess
	p.reset = sess
	p.bk.Unlock()
	if answer && kind != kBye {
		p.mu.RLock()
		p.control(kReset, 0, sess)
		p.mu.RUnlock()
	}
}

// tick is the failure detector's look at p (see Node.tick), now on
// Node.mono: a heartbeat with a stamp and an echo, or the session ends.
func (p *peer) tick(now int64) {
	p.mu.RLock()
	st := p.state
	if f := p.frames.Load(); f != p.seen {
		p.seen = f
		p.heard.Store(now)
	}
	if st == stUp {
		if time.Duration(now-p.heard.Load()) > p.n.cfg.Heartbeat {
			sess := p.sess
			p.mu.RUnlock()
			p.n.log.Warn().Str("node", p.n.cfg.Name).Str("peer", p.name).Msg("heartbeats stopped")
			p.end(actor.NoConnection, false, true, sess)
			return
		}
		p.beat(kHeartbeat, p.sess, uint64(now), p.echo.Load())
	}
	p.mu.RUnlock()
	if st == stDown {
		p.offer()
	}
}

// ending is what a session left behind when it ended, to be told
// NoConnection once p.mu is released.
type ending struct {
	links   map[link]struct{}
	outMons map[uint64]outMon
	inMons  map[actor.Ref]inMon
	calls   map[uint64]*call
	reason  error
}

// endLocked ends the session: the state is down, and its bookkeeping is
// taken out. p.mu held.
func (p *peer) endLocked(reason error) *ending {
	p.state, p.sess = stDown, 0
	p.stopSession()
	p.bk.Lock()
	e := &ending{links: p.links, outMons: p.outMons, inMons: p.inMons, calls: p.calls, reason: reason}
	p.links, p.outMons, p.outRefs = make(map[link]struct{}), make(map[uint64]outMon), make(map[actor.Ref]uint64)
	p.inMons, p.inKeys, p.calls = make(map[actor.Ref]inMon), make(map[inKey]actor.Ref), make(map[uint64]*call)
	p.bk.Unlock()
	return e
}

// end declares p down: NoConnection to every link and monitor of its
// processes, once each, and to every call waiting on it. bye tells the
// peer this node is leaving; otherwise it is sent kReset for the session.
// ours is a session this node ends itself, told once drained (lease.go,
// rule 3); only, if not 0, is the one session to end.
func (p *peer) end(reason error, bye, ours bool, only uint64) {
	p.mu.Lock()
	if p.state != stUp || (only != 0 && p.sess != only) {
		if p.state == stUnknown {
			p.state = stDown
		}
		p.mu.Unlock()
		return
	}
	old := p.sess
	if bye {
		p.control(kBye, old)
	} else {
		p.control(kReset, 0, old)
	}
	e := p.endLocked(reason)
	wait := p.stampAt.Load() + int64(p.n.cfg.Heartbeat) - p.n.mono()
	if ours && wait > 0 {
		d := &drain{sess: old, e: e, done: make(chan struct{})}
		p.drain = d
		d.t = time.AfterFunc(time.Duration(wait), func() { p.finish(d) })
		p.mu.Unlock()
		p.n.log.Warn().Str("node", p.n.cfg.Name).Str("peer", p.name).Dur("drain", time.Duration(wait)).Msg("node down")
		return
	}
	p.mu.Unlock()
	p.n.log.Warn().Str("node", p.n.cfg.Name).Str("peer", p.name).Msg("node down")
	e.notify(p)
	p.n.nodeEvent(p.name, false, reason)
}

func (e *ending) notify(p *peer) {
	if e == nil {
		return
	}
	sys := p.n.sys
	for l := range e.links {
		sys.RemoteExit(l.remote, l.local, e.reason, true)
	}
	for _, m := range e.outMons {
		sys.RemoteDown(m.watcher, m.ref, m.target, e.reason)
	}
	for ref, m := range e.inMons {
		sys.RemoteDemonitor(m.target, ref)
	}
	for _, c := range e.calls {
		c.ch <- result{err: &actor.ExitError{PID: c.target, Reason: e.reason}}
	}
}
