package system

import (
	"github.com/airssys/rt/actor"
)

// forward passes the message p is handling on to pid, with its original
// sender. A Request goes with the first Forward, which hands the reply
// over to pid (see request); a Forward after the reply was answered,
// forwarded, deferred or refused passes the message alone.
func (p *process) forward(to actor.PID) error {
	if p.status.Load() == statusDead {
		p.sys.deadLetter(to, p.cur.from, p.cur.msg, actor.ErrNotInProcess)
		return actor.ErrNotInProcess
	}
	s, msg, from := p.sys, p.cur.msg, p.cur.from
	req := p.cur.req
	if req == nil || p.replied {
		return s.push(nil, p, from, to, msg, nil, true)
	}
	p.replied = true
	fail := func(err, reason error) error {
		s.deadLetter(to, from, msg, err)
		req.fail(reason)
		return err
	}
	if err := s.checkPID(to); err != nil {
		return fail(err, err)
	}
	if to == from {
		// The requester waits for this very reply and cannot handle it.
		return fail(actor.ErrRequestSelf, actor.ErrRequestSelf)
	}
	q, ok := s.reg.Lookup(to)
	if !ok {
		return fail(actor.ErrNoProcess, actor.ErrNoProcess)
	}
	if !req.handOver(q) {
		return fail(actor.ErrNoProcess, &actor.ExitError{PID: to, Reason: q.exitReason()})
	}
	if err := s.push(nil, p, from, to, msg, req, true); err != nil {
		req.fail(err) // push counted the dead letter
		return err
	}
	return nil
}

// refuse gives up on the message p is handling: it is a dead letter with
// reason, and its Request, unless already answered, fails with reason.
func (p *process) refuse(reason error) error {
	if reason == nil {
		return actor.ErrNilReason
	}
	p.sys.deadLetter(p.pid, p.cur.from, p.cur.msg, reason)
	if req := p.cur.req; req != nil && !p.replied {
		p.replied = true
		req.fail(reason)
	}
	return nil
}
