package system

import (
	"context"
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// request is a pending Request: the first of reply, the target's exit, or
// the requester giving up settles it.
type request struct {
	state atomic.Uint32 // 0 pending, 1 settled, 2 abandoned
	ch    chan result
	msg   any             // the message asked, set when it is queued
	ctx   context.Context // the requester's
}

type result struct {
	v   any
	err error
}

func (r *request) settle(v any, err error) bool {
	if r.state.CompareAndSwap(0, 1) {
		r.ch <- result{v, err}
		return true
	}
	return false
}

func (r *request) fail(err error) { r.settle(nil, err) }

// down makes request a watcher of its target.
// A target that did not exist is found before the request is sent, so a
// Down here always carries a real exit reason, NoProc included.
func (r *request) down(_ actor.Ref, pid actor.PID, reason error) {
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
	if err := s.checkPID(pid); err != nil {
		return refuse(err)
	}
	q, ok := s.reg.Lookup(pid)
	if !ok {
		return refuse(actor.ErrNoProcess)
	}
	req := &request{ch: make(chan result, 1), ctx: ctx}
	ref := actor.NewRef()
	if !q.addWatcher(ref, req) {
		return refuse(actor.ErrNoProcess)
	}
	defer q.removeWatcher(ref)
	if err := s.deliver(ctx, from, pid, msg, req); err != nil {
		return nil, err
	}
	var killed <-chan struct{}
	if from != nil {
		killed = from.deathChan() // not its context, which a stop may end first
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
