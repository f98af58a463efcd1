package remote

import (
	"context"
	"errors"
	"fmt"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/system"
)

// foreign is the node as its System's handler of foreign PIDs.
type foreign struct{ n *Node }

var _ system.Foreign = foreign{}

// route finds the peer of to's node, connecting on first use, and checks
// that to names its current incarnation.
func (n *Node) route(to actor.PID) (*peer, *nodeID, error) {
	id := idOf(to)
	if id == nil || id.cluster != n.cfg.Cluster {
		return nil, nil, fmt.Errorf("%w: %v is of no node of cluster %s", actor.ErrForeignPID, to, n.cfg.Cluster)
	}
	if id.dead.Load() || id.name == n.cfg.Name {
		return nil, id, fmt.Errorf("%w: %v is of an earlier incarnation of node %s", actor.ErrNoProcess, to, id.name)
	}
	p := n.peerFor(id.name)
	if err := n.ensure(p); err != nil {
		return p, id, err
	}
	return p, id, nil
}

// localID is the wire id of local PID pid (0 for the zero PID or a PID of
// another node, which a frame cannot name).
func (n *Node) localID(pid actor.PID) uint64 {
	if pid.System() != n.sys.Number() {
		return 0
	}
	return pid.ID()
}

// sendFrame builds a frame of kind for p in its session and publishes it.
// body runs with p.mu held for reading, after the session was checked, so
// bookkeeping it records is either seen by the session's end or refused;
// id, if not nil, must still be p's incarnation. A publish refused on a
// lost connection, or refused because the session drains, returns once the
// peer's lease can no longer let an earlier frame act (lease.go, rule 3).
func (n *Node) sendFrame(p *peer, id *nodeID, kind byte, body func([]byte) ([]byte, error)) error {
	b := n.buf()
	defer n.free(b)
	p.mu.RLock()
	err := n.buildAndPublish(p, id, kind, b, body)
	d := p.drain
	p.mu.RUnlock()
	if tells(kind) {
		p.told(err, d)
	}
	return err
}

// told waits, when err is a NoConnection its caller is about to be told,
// until the peer's lease can no longer let an earlier frame act: the drain
// d of a session that ended since route saw it up, or the lease's longest
// end after a publish refused on a lost connection (lease.go, rule 3).
func (p *peer) told(err error, d *drain) {
	switch {
	case errors.Is(err, errLost):
		p.settle()
	case d != nil && errors.Is(err, ErrNoConnection):
		<-d.done
	}
}

// tells reports whether a refused frame of kind tells its sender
// NoConnection (a Send's or Request's error, a link's exit signal, a
// monitor's Down), rather than being a signal that goes nowhere.
func tells(kind byte) bool {
	switch kind {
	case kSend, kSendName, kRequest, kRequestName, kLink, kMonitor, kSpawn:
		return true
	}
	return false
}

// errLost is a publish the connection refused (see Node.publish).
var errLost = fmt.Errorf("%w: publish refused by the connection", ErrNoConnection)

// buildAndPublish is sendFrame's part under p.mu.
func (n *Node) buildAndPublish(p *peer, id *nodeID, kind byte, b *[]byte, body func([]byte) ([]byte, error)) error {
	if p.state != stUp {
		return ErrNoConnection
	}
	if id != nil && p.cur.Load() != id {
		return fmt.Errorf("%w: node %s has restarted", actor.ErrNoProcess, id.name)
	}
	var err error
	*b = n.header(*b, kind, p.sess)
	if *b, err = body(*b); err != nil {
		return err
	}
	return n.publish(p, *b)
}

func (f foreign) Send(from, to actor.PID, msg any) error {
	n := f.n
	p, id, err := n.route(to)
	if err == nil {
		err = n.sendFrame(p, id, kSend, func(b []byte) ([]byte, error) {
			b = appendUvarint(b, n.localID(from))
			b = appendUvarint(b, id.inc)
			b = appendUvarint(b, to.ID())
			return n.codec.Append(b, msg)
		})
	}
	if err != nil {
		n.sys.DeadLetter(to, from, msg, err)
	}
	return err
}

func (f foreign) SendNamed(from actor.PID, name, node string, msg any) error {
	n := f.n
	err := n.sendNamed(from, name, node, msg)
	if err != nil {
		n.sys.DeadLetter(actor.PID{}, from, msg, err)
	}
	return err
}

func (n *Node) sendNamed(from actor.PID, name, node string, msg any) error {
	if node == n.cfg.Name || !validToken(node) {
		return fmt.Errorf("send to %q: %w", name+"@"+node, actor.ErrNoProcess)
	}
	p := n.peerFor(node)
	if err := n.ensure(p); err != nil {
		return err
	}
	return n.sendFrame(p, nil, kSendName, func(b []byte) ([]byte, error) {
		b = appendUvarint(b, n.localID(from))
		b = appendString(b, name)
		return n.codec.Append(b, msg)
	})
}

func (f foreign) Request(ctx context.Context, killed <-chan struct{}, from, to actor.PID, msg any) (any, error) {
	n := f.n
	if ctx == nil {
		n.sys.DeadLetter(to, from, msg, actor.ErrNilContext)
		return nil, actor.ErrNilContext
	}
	p, id, err := n.route(to)
	if err != nil {
		n.sys.DeadLetter(to, from, msg, err)
		return nil, err
	}
	return n.call(ctx, killed, p, id, to, kRequest, func(b []byte, req uint64) ([]byte, error) {
		b = appendUvarint(b, n.localID(from))
		b = appendUvarint(b, id.inc)
		b = appendUvarint(b, to.ID())
		b = appendUvarint(b, req)
		return n.codec.Append(b, msg)
	}, func(err error) { n.sys.DeadLetter(to, from, msg, err) })
}

// call sends a frame that is answered (a request, a spawn) and waits for
// the answer, ctx, killed, or the session's end (an *actor.ExitError with
// NoConnection).
func (n *Node) call(ctx context.Context, killed <-chan struct{}, p *peer, id *nodeID, target actor.PID, kind byte,
	body func([]byte, uint64) ([]byte, error), refused func(error)) (any, error) {
	req := n.wire.Add(1)
	c := &call{target: target, ch: make(chan result, 1)}
	err := n.sendFrame(p, id, kind, func(b []byte) ([]byte, error) {
		b, err := body(b, req)
		if err == nil {
			p.bk.Lock()
			p.calls[req] = c
			p.bk.Unlock()
		}
		return b, err
	})
	if err != nil {
		p.bk.Lock()
		delete(p.calls, req)
		p.bk.Unlock()
		refused(err)
		return nil, err
	}
	select {
	case r := <-c.ch:
		return r.v, r.err
	case <-ctx.Done():
		err = ctx.Err()
	case <-killed:
		err = actor.ErrNotInProcess
	}
	p.bk.Lock()
	_, pending := p.calls[req]
	delete(p.calls, req)
	p.bk.Unlock()
	if !pending { // answered meanwhile
		r := <-c.ch
		return r.v, r.err
	}
	return nil, err
}

func (f foreign) Link(from, to actor.PID) {
	n := f.n
	p, id, err := n.route(to)
	if err == nil {
		err = n.sendFrame(p, id, kLink, func(b []byte) ([]byte, error) {
			p.bk.Lock()
			p.links[link{from, to}] = struct{}{}
			p.bk.Unlock()
			b = appendUvarint(b, from.ID())
			b = appendUvarint(b, id.inc)
			return appendUvarint(b, to.ID()), nil
		})
	}
	if err != nil {
		// Answered at once: NoProc for a process that cannot exist,
		// NoConnection for a node that cannot be reached.
		n.sys.RemoteUnlink(from, to)
		n.sys.RemoteExit(to, from, reasonOf(err), false)
	}
}

// reasonOf is the exit reason a failed link or monitor is answered with.
func reasonOf(err error) error {
	if isNoConnection(err) {
		return actor.NoConnection
	}
	return actor.NoProc
}

func (f foreign) Unlink(from, to actor.PID) {
	n := f.n
	id := idOf(to)
	if id == nil {
		return
	}
	p := n.peerFor(id.name)
	_ = n.sendFrame(p, id, kUnlink, func(b []byte) ([]byte, error) {
		p.bk.Lock()
		delete(p.links, link{from, to})
		p.bk.Unlock()
		b = appendUvarint(b, from.ID())
		b = appendUvarint(b, id.inc)
		return appendUvarint(b, to.ID()), nil
	})
}

func (f foreign) Monitor(watcher actor.PID, ref actor.Ref, to actor.PID) {
	n := f.n
	p, id, err := n.route(to)
	if err == nil {
		wref := n.wire.Add(1)
		err = n.sendFrame(p, id, kMonitor, func(b []byte) ([]byte, error) {
			p.bk.Lock()
			p.outMons[wref] = outMon{watcher: watcher, ref: ref, target: to}
			p.outRefs[ref] = wref
			p.bk.Unlock()
			b = appendUvarint(b, watcher.ID())
			b = appendUvarint(b, wref)
			b = appendUvarint(b, id.inc)
			return appendUvarint(b, to.ID()), nil
		})
	}
	if err != nil {
		n.sys.RemoteDown(watcher, ref, to, reasonOf(err))
	}
}

func (f foreign) Demonitor(watcher actor.PID, ref actor.Ref, to actor.PID) {
	n := f.n
	id := idOf(to)
	if id == nil {
		return
	}
	p := n.peerFor(id.name)
	p.bk.Lock()
	wref, ok := p.outRefs[ref]
	delete(p.outRefs, ref)
	delete(p.outMons, wref)
	p.bk.Unlock()
	if !ok {
		return
	}
	_ = n.sendFrame(p, id, kDemonitor, func(b []byte) ([]byte, error) {
		b = appendUvarint(b, watcher.ID())
		b = appendUvarint(b, wref)
		b = appendUvarint(b, id.inc)
		return appendUvarint(b, to.ID()), nil
	})
}

func (f foreign) Exit(from, to actor.PID, reason error) error {
	n := f.n
	p, id, err := n.route(to)
	if err != nil {
		return err
	}
	err = n.sendFrame(p, id, kExit, func(b []byte) ([]byte, error) {
		b = appendUvarint(b, n.localID(from))
		b = appendUvarint(b, id.inc)
		b = appendUvarint(b, to.ID())
		b = append(b, exitPlain)
		return appendReason(b, reason), nil
	})
	p.told(err, p.draining()) // kExit is tells only here: its caller is told
	return err
}

func (f foreign) LinkExited(from, to actor.PID, reason error) {
	n := f.n
	id := idOf(to)
	if id == nil {
		return
	}
	p := n.peerFor(id.name)
	_ = n.sendFrame(p, id, kExit, func(b []byte) ([]byte, error) {
		p.bk.Lock()
		_, linked := p.links[link{from, to}]
		delete(p.links, link{from, to})
		p.bk.Unlock()
		if !linked {
			return b, errNotLinked
		}
		b = appendUvarint(b, from.ID())
		b = appendUvarint(b, id.inc)
		b = appendUvarint(b, to.ID())
		b = append(b, exitLinked)
		return appendReason(b, reason), nil
	})
}

func (f foreign) Down(watcher actor.PID, ref actor.Ref, pid actor.PID, reason error) {
	n := f.n
	id := idOf(watcher)
	if id == nil {
		return
	}
	p := n.peerFor(id.name)
	_ = n.sendFrame(p, id, kDown, func(b []byte) ([]byte, error) {
		p.bk.Lock()
		m, ok := p.inMons[ref]
		delete(p.inMons, ref)
		delete(p.inKeys, m.key)
		p.bk.Unlock()
		if !ok {
			return b, errNotLinked
		}
		b = appendUvarint(b, m.key.watcher)
		b = appendUvarint(b, m.key.wref)
		b = appendUvarint(b, pid.ID())
		return appendReason(b, reason), nil
	})
}
