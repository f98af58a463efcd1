package system

import (
	"errors"

	"github.com/airssys/rt/actor"
)

// forward passes the message p is handling on to pid, with its original
// sender. A Request goes with the first Forward, which hands the reply
// over to pid (see request); a Forward after the reply was answered,
// forwarded, deferred or refused passes the message alone.
func (p *process) forward(to actor.PID) error {
	req := p.cur.req
	if p.replied {
		req = nil
	}
	p.replied = p.replied || req != nil
	return p.forwardMsg(to, p.cur.msg, p.cur.from, req)
}

// forwardMsg passes msg, from sender from, on to pid for p, with req if
// it is not nil (p then no longer holds it).
func (p *process) forwardMsg(to actor.PID, msg any, from actor.PID, req *request) error {
	s := p.sys
	if p.status.Load() == statusDead {
		s.deadLetter(to, from, msg, actor.ErrNotInProcess)
		if req != nil {
			req.fail(actor.ErrNotInProcess)
		}
		return actor.ErrNotInProcess
	}
	if req == nil {
		return s.push(nil, p, from, to, msg, nil, true)
	}
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
	q, ok := s.reg.LookupCached(to)
	if !ok {
		// Gone: its exit reason is no longer known, as for a Monitor.
		return fail(actor.ErrNoProcess, &actor.ExitError{PID: to, Reason: actor.NoProc})
	}
	if !req.handOver(q) {
		return fail(actor.ErrNoProcess, &actor.ExitError{PID: to, Reason: q.exitReason()})
	}
	if err := s.push(nil, p, from, to, msg, req, true); err != nil {
		// push counted the dead letter. A mailbox closed meanwhile is
		// q's exit, whose watch may not have fired yet.
		if errors.Is(err, actor.ErrNoProcess) {
			req.fail(&actor.ExitError{PID: to, Reason: q.exitReason()})
		} else {
			req.fail(err)
		}
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
	req := p.cur.req
	if p.replied {
		req = nil
	}
	p.replied = true
	refuseMsg(p, p.cur.msg, p.cur.from, req, reason)
	return nil
}

func refuseMsg(p *process, msg any, from actor.PID, req *request, reason error) {
	p.sys.deadLetter(p.pid, from, msg, reason)
	if req != nil {
		req.fail(reason)
	}
}

// hold takes the message p is handling out of the handler, with its
// sender and its Request unless that was answered, forwarded or deferred.
func (p *process) hold() (actor.Held, error) {
	if p.status.Load() == statusDead {
		return nil, actor.ErrNotInProcess
	}
	h := &held{by: p, msg: p.cur.msg, from: p.cur.from}
	if !p.replied {
		h.req, p.replied = p.cur.req, true
	}
	return h, nil
}

// held is a message taken with Hold. Its holder's callbacks use it.
type held struct {
	by   *process
	msg  any
	from actor.PID
	req  *request // until forwarded, answered or refused
	done bool     // answered or refused
}

func (h *held) Message() any      { return h.msg }
func (h *held) Sender() actor.PID { return h.from }

func (h *held) Forward(to actor.PID) error {
	if h.done {
		return actor.ErrReplied
	}
	req := h.req
	h.req = nil
	return h.by.forwardMsg(to, h.msg, h.from, req)
}

func (h *held) Reply(msg any) error {
	if h.req == nil {
		return actor.ErrNoRequest
	}
	req := h.req
	h.req, h.done = nil, true
	if !req.settle(msg, nil) {
		h.by.sys.deadLetter(h.from, h.by.pid, msg, actor.ErrNoRequest)
	}
	return nil
}

func (h *held) Refuse(reason error) error {
	if reason == nil {
		return actor.ErrNilReason
	}
	if h.done {
		return actor.ErrReplied
	}
	req := h.req
	h.req, h.done = nil, true
	refuseMsg(h.by, h.msg, h.from, req, reason)
	return nil
}
