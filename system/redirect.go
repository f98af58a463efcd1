package system

import (
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// redirect is a process's send-side redirect (Context.Redirect).
//
// Order. A message the redirect does not place is queued with the process
// as usual, and a later message from the same sender must not overtake it
// by being redirected past it. So the redirect is off while such a message
// may still be with the process: busy is set by a sender after it queued
// a user message with the process (the redirect declined, or was off), and
// cleared by the process when a turn of it finds its user lane empty, with
// everything it took handled. The clear is followed by a look at the lane,
// and the set follows the push, so one of the two sees the other: a queued
// message is never left with busy clear. A sender's next message, sent
// after its push returned, then finds busy set until that message has been
// handled. Runtime messages (Down, Exit, probes) do not set it: no sender's
// order is owed against them.
type redirect struct {
	f    func(msg any) (actor.PID, bool)
	busy atomic.Bool
}

func (p *process) Redirect(f func(msg any) (actor.PID, bool)) {
	if f == nil {
		p.redirect.Store(nil)
		return
	}
	rd := &redirect{f: f}
	// Whatever is queued already, and the message being handled if Redirect
	// is called from Receive, keep their place: off until the lane is dry.
	rd.busy.Store(true)
	p.redirect.Store(rd)
}

// redirected returns the process that a user message sent to p goes to
// instead, or nil for p itself. A message is redirected only while p is
// alive and holds no user message (see redirect), so that whatever a
// sender sent p before, and p passed on, is ahead of it. A Request is
// handed over to the new target, which then owes the reply.
func (s *System) redirected(p *process, rd *redirect, fromPID actor.PID, msg any, req *request) *process {
	if rd.busy.Load() || p.status.Load() != statusAlive {
		return nil
	}
	to, ok := rd.f(msg) // in the sender's goroutine: a panic in it is the sender's
	if !ok || to == p.pid || to == fromPID || to.IsZero() || to.System() != s.num {
		// Back to the sender itself: p queues it, and p's own send waits
		// for room as any other sender's would.
		return nil
	}
	q, ok := s.reg.LookupCached(to)
	if !ok || q.status.Load() != statusAlive {
		return nil
	}
	if req != nil && !req.handOver(q) {
		return nil
	}
	return q
}

// dry is called by p's turn when it found p's user lane empty: the
// redirect is on again unless a message arrived meanwhile (see redirect).
func (rd *redirect) dry(p *process) {
	rd.busy.Store(false)
	if p.mb.User.Len() > 0 {
		rd.busy.Store(true)
	}
}
