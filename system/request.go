package system

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// request is a pending Request: the first of reply, the exit of the
// process that owes the reply, or the requester giving up settles it.
//
// The request watches its holder, the process that owes the reply: the
// target at first, then each process Forward hands it to. A holder that
// took the reply with ReplyLater keeps it, and its exit fails the request.
type request struct {
	state atomic.Uint32 // 0 pending, 1 settled, 2 abandoned
	ch    chan result
	msg   any             // the message asked, set when it is queued
	ctx   context.Context // the requester's
	// onSettle, for a request from another node, takes the result in
	// place of ch.
	onSettle func(any, error)

	mu     sync.Mutex
	holder *process  // under mu
	ref    actor.Ref // the watch on holder; under mu
	closed bool      // the requester has returned; under mu
}

type result struct {
	v   any
	err error
}

func (r *request) settle(v any, err error) bool {
	if r.state.CompareAndSwap(0, 1) {
		if r.onSettle != nil {
			r.onSettle(v, err)
			return true
		}
		r.ch <- result{v, err}
		return true
	}
	return false
}

func (r *request) fail(err error) { r.settle(nil, err) }

// down makes request a watcher of its target.
// A target that did not exist is found before the request is sent, so a
// Down here always carries a real exit reason, NoProc included. Only the
// current holder's Down counts: a process that handed the request over
// (Forward, a redirect) may still be finishing its exit with the old
// watch in hand, and its exit no longer concerns the request.
func (r *request) down(ref actor.Ref, pid actor.PID, reason error) {
	r.mu.Lock()
	stale := ref != r.ref
	r.mu.Unlock()
	if stale {
		return
	}
	r.fail(&actor.ExitError{PID: pid, Reason: reason})
}

func (s *System) request(ctx context.Context, from *process, pid actor.PID, msg any) (any, error) {
	var fromPID actor.PID
	if from != nil {
		fromPID = from.pid
	}
	refuse := func(err error) (any, error) {
		s.deadLetter(pid, fromPID, msg, err) // a request not sent is still accounted for
		return nil, err
	}
	if ctx == nil {
		return refuse(actor.ErrNilContext)
	}
	if from != nil && pid == from.pid {
		return refuse(actor.ErrRequestSelf)
	}
	if fs := s.foreignFor(pid); fs != nil {
		var killed <-chan struct{}
		if from != nil {
			killed = from.deathContext().Done()
		}
		return fs.f.Request(ctx, killed, fromPID, pid, msg)
	}
	if err := s.checkPID(pid); err != nil {
		return refuse(err)
	}
	q, ok := s.reg.Lookup(pid)
	if !ok {
		return refuse(actor.ErrNoProcess)
	}
	ref := actor.NewRef()
	req := &request{ch: make(chan result, 1), ctx: ctx, holder: q, ref: ref}
	if !q.addWatcher(ref, req) {
		return refuse(actor.ErrNoProcess)
	}
	defer req.unwatch()
	if err := s.deliver(ctx, from, pid, msg, req); err != nil {
		return nil, err
	}
	var killed <-chan struct{}
	if from != nil {
		killed = from.deathContext().Done() // not its context, which a stop may end first
	}
	select {
	case r := <-req.ch:
		return r.v, r.err
	case <-ctx.Done():
		if req.state.CompareAndSwap(0, 2) {
			return nil, ctx.Err()
		}
		r := <-req.ch
		return r.v, r.err
	case <-killed:
		if req.state.CompareAndSwap(0, 2) {
			return nil, actor.ErrNotInProcess
		}
		r := <-req.ch
		return r.v, r.err
	}
}

// unwatch, called by the requester when it returns, removes the watch on
// the holder; a Forward after it adds none.
func (r *request) unwatch() {
	r.mu.Lock()
	r.closed = true
	h, ref := r.holder, r.ref
	r.mu.Unlock()
	h.removeWatcher(ref)
}

// handOver makes q the request's holder: the request watches q, and no
// longer the previous holder. It reports false if q is already dead. The
// watch is added and made current under mu, so that q's Down, which down
// takes mu to judge, is never mistaken for a stale holder's. (q's exit
// calls down after releasing q's own lock, so holding mu across
// addWatcher cannot deadlock with it.)
func (r *request) handOver(q *process) bool {
	ref := actor.NewRef()
	r.mu.Lock()
	if !q.addWatcher(ref, r) {
		r.mu.Unlock()
		return false
	}
	if r.closed {
		r.mu.Unlock()
		q.removeWatcher(ref)
		return true
	}
	old, oldRef := r.holder, r.ref
	r.holder, r.ref = q, ref
	r.mu.Unlock()
	old.removeWatcher(oldRef)
	return true
}

// reply answers the request being handled by p.
func (p *process) reply(msg any) error {
	req := p.cur.req
	if req == nil || p.replied {
		return actor.ErrNoRequest
	}
	p.replied = true
	if !req.settle(msg, nil) {
		p.sys.deadLetter(p.cur.from, p.pid, msg, actor.ErrNoRequest)
	}
	return nil
}
