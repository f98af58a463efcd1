package remote

import (
	"errors"

	"github.com/airssys/rt/actor"
)

// errNotLinked aborts a frame whose bookkeeping is already gone (the
// session ended, or the link or monitor was removed meanwhile).
var errNotLinked = errors.New("remote: not linked")

func isNoConnection(err error) bool { return errors.Is(err, actor.NoConnection) }

// pidOf is the PID of process id on p's node (zero for 0).
func (p *peer) pidOf(id uint64) actor.PID {
	if id == 0 {
		return actor.PID{}
	}
	return actor.NewPID(p.cur.Load().num, id)
}

// local returns the PID of this node's process id, and whether inc is this
// incarnation: a frame for an earlier one names a process that is gone.
func (n *Node) local(inc, id uint64) (actor.PID, bool) {
	return actor.NewPID(n.sys.Number(), id), inc == n.inc
}

// deadFrame counts the message of a refused frame as a dead letter here,
// with reason.
func (n *Node) deadFrame(kind byte, r *reader, reason error) {
	r.uvarint() // from
	switch kind {
	case kSend:
		r.uvarint()
		r.uvarint()
	case kRequest:
		r.uvarint()
		r.uvarint()
		r.uvarint()
	case kSendName:
		r.bytes()
	case kRequestName:
		r.bytes()
		r.uvarint()
	}
	msg, _ := n.codec.Decode(r.rest())
	n.sys.DeadLetter(actor.PID{}, actor.PID{}, msg, reason)
}

// How a kExit travels.
const (
	exitPlain   byte = iota // Erlang's exit/2
	exitLinked              // through a link
	exitRefused             // the answer to a link whose target is gone
)

// deliver hands a message of p's session to its local receiver. A full
// Backpressure mailbox holds the node's data frames back until it has
// room (as a busy distribution port does in Erlang), while the session
// holds: its end, or its lease's (lease.go, rule 4), makes the message a
// dead letter. Heartbeats go on meanwhile, on their own lane.
func (n *Node) deliver(p *peer, from, to actor.PID, msg any) {
	ctx := ended
	if s := p.live.Load(); s != nil {
		ctx = s.ctx
	}
	_ = n.sys.RemoteSend(ctx, from, to, msg) // a failure is a dead letter there
}

// onData handles a data frame of the session held with p.
func (p *peer) onData(kind byte, r *reader) {
	n := p.n
	sys := n.sys
	switch kind {
	case kSend, kSendName:
		from := p.pidOf(r.uvarint())
		var to actor.PID
		ok := true
		if kind == kSend {
			to, ok = n.local(r.uvarint(), r.uvarint())
		} else {
			name := r.string()
			to, ok = sys.Whereis(name)
		}
		msg, err := n.codec.Decode(r.rest())
		switch {
		case r.bad:
			n.log.Warn().Str("node", n.cfg.Name).Msg("malformed frame dropped")
		case err != nil:
			sys.DeadLetter(to, from, msg, err)
		case !ok:
			sys.DeadLetter(to, from, msg, actor.ErrNoProcess)
		default:
			n.deliver(p, from, to, msg)
		}
	case kRequest, kRequestName:
		from := p.pidOf(r.uvarint())
		var to actor.PID
		ok := true
		if kind == kRequest {
			to, ok = n.local(r.uvarint(), r.uvarint())
		} else {
			to, ok = sys.Whereis(r.string())
		}
		req := r.uvarint()
		msg, err := n.codec.Decode(r.rest())
		p.mu.RLock()
		sess := p.sess
		p.mu.RUnlock()
		answer := func(v any, err error) { n.answer(p, sess, req, v, err) }
		switch {
		case r.bad:
			return
		case err != nil:
			sys.DeadLetter(to, from, msg, err)
			answer(nil, err)
		case !ok:
			sys.DeadLetter(to, from, msg, actor.ErrNoProcess)
			answer(nil, actor.ErrNoProcess)
		default:
			if err := sys.RemoteRequest(from, to, msg, answer); err != nil {
				answer(nil, err)
			}
		}
	case kReply, kSpawned:
		req := r.uvarint()
		p.bk.Lock()
		c := p.calls[req]
		delete(p.calls, req)
		p.bk.Unlock()
		if c == nil {
			return // the caller gave up: its reply goes nowhere
		}
		c.ch <- p.readAnswer(kind, r, c)
	case kLink:
		remote := p.pidOf(r.uvarint())
		local, ok := n.local(r.uvarint(), r.uvarint())
		if ok && sys.RemoteLink(local, remote) {
			p.bk.Lock()
			p.links[link{local, remote}] = struct{}{}
			p.bk.Unlock()
			return
		}
		p.sendExit(local, remote, actor.NoProc, exitRefused)
	case kUnlink:
		remote := p.pidOf(r.uvarint())
		local, _ := n.local(r.uvarint(), r.uvarint())
		p.bk.Lock()
		delete(p.links, link{local, remote})
		p.bk.Unlock()
		sys.RemoteUnlink(local, remote)
	case kMonitor:
		key := inKey{watcher: r.uvarint(), wref: r.uvarint()}
		target, ok := n.local(r.uvarint(), r.uvarint())
		ref := actor.NewRef()
		// Recorded first: a Down the target gives at once finds it.
		p.bk.Lock()
		p.inMons[ref] = inMon{key: key, target: target}
		p.inKeys[key] = ref
		p.bk.Unlock()
		// Watcher 0 is code outside any process there (System.Monitor):
		// its PID still names the node, so that the Down finds its way.
		watcher := actor.NewPID(p.cur.Load().num, key.watcher)
		if ok && sys.RemoteMonitor(target, ref, watcher) {
			return
		}
		foreign{n}.Down(watcher, ref, target, actor.NoProc)
	case kDemonitor:
		key := inKey{watcher: r.uvarint(), wref: r.uvarint()}
		p.bk.Lock()
		ref, ok := p.inKeys[key]
		m := p.inMons[ref]
		delete(p.inKeys, key)
		delete(p.inMons, ref)
		p.bk.Unlock()
		if ok {
			sys.RemoteDemonitor(m.target, ref)
		}
	case kExit:
		remote := p.pidOf(r.uvarint())
		local, ok := n.local(r.uvarint(), r.uvarint())
		how := r.byte()
		linked := how == exitLinked
		r.pid = remote
		reason := readReason(r, p.cur.Load())
		if !ok || r.bad {
			return
		}
		if how == exitRefused {
			// The link asked for was refused: it is no link.
			p.bk.Lock()
			delete(p.links, link{local, remote})
			p.bk.Unlock()
			sys.RemoteUnlink(local, remote)
		}
		if linked {
			p.bk.Lock()
			_, had := p.links[link{local, remote}]
			delete(p.links, link{local, remote})
			p.bk.Unlock()
			if !had {
				return
			}
		}
		sys.RemoteExit(remote, local, reason, linked)
	case kDown:
		r.uvarint() // the watcher: it is ours, named by the wire ref
		wref := r.uvarint()
		target := p.pidOf(r.uvarint())
		r.pid = target
		reason := readReason(r, p.cur.Load())
		p.bk.Lock()
		m, ok := p.outMons[wref]
		delete(p.outMons, wref)
		delete(p.outRefs, m.ref)
		p.bk.Unlock()
		if ok {
			sys.RemoteDown(m.watcher, m.ref, m.target, reason)
		}
	case kSpawn:
		n.onSpawn(p, r)
	}
}

// readAnswer decodes a reply or a spawn's answer.
func (p *peer) readAnswer(kind byte, r *reader, c *call) result {
	status := r.byte()
	r.pid = c.target
	if kind == kSpawned {
		if status != replyValue {
			return result{err: readReason(r, p.cur.Load())}
		}
		return result{v: p.pidOf(r.uvarint())}
	}
	switch status {
	case replyValue:
		v, err := p.n.codec.Decode(r.rest())
		return result{v: v, err: err}
	case replyErrorValue:
		return result{v: readReason(r, p.cur.Load())}
	default:
		return result{err: readReason(r, p.cur.Load())}
	}
}

// answer sends the reply to request req of session sess, unless the
// session ended: the reply is then a dead letter.
func (n *Node) answer(p *peer, sess, req uint64, v any, failed error) {
	err := n.sendFrame(p, nil, kReply, func(b []byte) ([]byte, error) {
		if p.sess != sess {
			return b, ErrNoConnection
		}
		b = appendUvarint(b, req)
		if failed != nil {
			return appendReason(append(b, replyFailed), failed), nil
		}
		if e, ok := v.(error); ok {
			return appendReason(append(b, replyErrorValue), e), nil
		}
		start := len(b)
		out, err := n.codec.Append(append(b, replyValue), v)
		if err != nil {
			// The requester learns why its reply could not come.
			return appendReason(append(b[:start], replyFailed), err), nil
		}
		return out, nil
	})
	if err != nil {
		n.sys.DeadLetter(actor.PID{}, actor.PID{}, v, err)
	}
}

// sendExit sends exit signal reason from local process from to remote
// process to.
func (p *peer) sendExit(from, to actor.PID, reason error, how byte) {
	_ = p.n.sendFrame(p, nil, kExit, func(b []byte) ([]byte, error) {
		b = appendUvarint(b, from.ID())
		b = appendUvarint(b, p.cur.Load().inc)
		b = appendUvarint(b, to.ID())
		return appendReason(append(b, how), reason), nil
	})
}
