package system

import (
	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// redirect is a process's send-side redirect (Context.Redirect).
type redirect struct {
	f func(msg any) (actor.PID, bool)
}

func (p *process) Redirect(f func(msg any) (actor.PID, bool)) {
	if f == nil {
		p.redirect.Store(nil)
		return
	}
	p.redirect.Store(&redirect{f: f})
}

// redirected returns the process that a user message sent to p goes to
// instead, or nil for p itself. A message is redirected only while p is
// alive and idle (nothing queued, no turn under way), so that whatever a
// sender sent p before, and p passed on, is ahead of it. A Request is
// handed over to the new target, which then owes the reply.
func (s *System) redirected(p *process, rd *redirect, fromPID actor.PID, msg any, req *request) *process {
	if p.mb.State.Load() != mailbox.Idle || p.status.Load() != statusAlive {
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
