package system

import (
	"context"
	"errors"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// signal puts sig on pid's control lane; a dead or unknown pid ignores it.
func (s *System) signal(pid actor.PID, sig signal) { s.signalVia(nil, pid, sig) }

func (s *System) signalVia(via *process, pid actor.PID, sig signal) {
	q, ok := s.reg.Lookup(pid)
	if !ok || q.status.Load() == statusDead {
		return
	}
	q.doom(&sig)
	q.mb.Control.Push(sig)
	s.wake(via, q)
}

// doom cancels p's context at once if sig is an exit signal that ends p
// without p seeing it (p does not trap exits and the reason is abnormal, or
// it is Normal sent by p to itself), so that a handler blocked on the
// context returns and the process exits; sig is then marked fatal.
//
// A process that traps exits is left alone, even when the signal is a
// stop from its parent that it will obey once it has seen the Exit: it
// traps exits to finish its work in order first, bounded by its own
// context (a supervisor stopping its children one by one within their
// shutdown policies does exactly that).
func (p *process) doom(sig *signal) {
	if p.trap.Load() || (actor.IsNormal(sig.reason) && !(sig.kind == sigExit && sig.from == p.pid)) {
		return
	}
	sig.fatal = true
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Load() == statusDead {
		return
	}
	if sig.kind == sigLinkExit && (p.ext == nil || !p.ext.links.Has(sig.from)) {
		sig.fatal = false
		return // unlinked: the signal will be ignored
	}
	e := p.extLocked()
	if e.ctx == nil {
		e.ctx, e.cancel = context.WithCancel(context.Background())
	}
	e.cancel()
}

// deliver puts a user message in pid's mailbox. A nil ctx means: no
// deadline, except that a process waiting for room stops waiting if it is
// killed.
func (s *System) deliver(ctx context.Context, from *process, pid actor.PID, msg any, req *request) error {
	var fromPID actor.PID
	if from != nil {
		fromPID = from.pid
	}
	return s.push(ctx, from, fromPID, pid, msg, req, true)
}

// deliverNoWait is deliver for a sender that must not wait for room: a
// full Backpressure mailbox refuses the message with mailbox.ErrFull, which
// is not counted as a dead letter (the caller still owns the message).
func (s *System) deliverNoWait(from *process, fromPID, pid actor.PID, msg any) error {
	return s.push(nil, from, fromPID, pid, msg, nil, false)
}

func (s *System) push(ctx context.Context, from *process, fromPID, pid actor.PID, msg any, req *request, wait bool) error {
	if err := s.checkPID(pid); err != nil {
		s.deadLetter(pid, fromPID, msg, err)
		return err
	}
	p, ok := s.reg.LookupCached(pid)
	if !ok {
		s.deadLetter(pid, fromPID, msg, actor.ErrNoProcess)
		return actor.ErrNoProcess
	}
	env := envelope{msg: msg, from: fromPID}
	if req != nil {
		req.msg = msg
		env.msg = req
	}
	var err error
	if p.mb.User.Policy() == mailbox.Backpressure && (!wait || from == p) {
		// A process waiting for room in its own mailbox would wait forever.
		err = p.mb.User.TryPush(env)
		if !wait && errors.Is(err, mailbox.ErrFull) {
			return err
		}
	} else {
		if ctx == nil {
			ctx = context.Background()
			if from != nil && p.mb.User.Policy() == mailbox.Backpressure {
				// A process that must wait for room waits on its own
				// context, so that a Kill ends the wait. Trying first
				// keeps the common case from creating that context.
				if err = p.mb.User.TryPush(env); !errors.Is(err, mailbox.ErrFull) {
					goto pushed
				}
				ctx = from.Context()
			}
		}
		var old envelope
		var dropped bool
		old, dropped, err = p.mb.User.Push(ctx, env)
		if dropped {
			msg, req := old.userMsg()
			s.deadLetter(pid, old.from, msg, actor.ErrDroppedOldest)
			if req != nil {
				req.fail(actor.ErrMailboxFull)
			}
		}
	}
pushed:
	if err != nil {
		if errors.Is(err, mailbox.ErrClosed) {
			err = actor.ErrNoProcess
		}
		s.deadLetter(pid, fromPID, msg, err)
		return err
	}
	// After the push: see mailbox/doc.go, invariants 1 and 2.
	if p.mb.State.Notify() {
		s.startTurn(p)
	}
	return nil
}

// pushForce puts a runtime message (Down) in p's user lane, past the bound.
func (s *System) pushForce(p *process, env envelope) { s.pushForceVia(nil, p, env) }

func (s *System) pushForceVia(via, p *process, env envelope) {
	if p.mb.User.PushForce(env) != nil {
		return // p is dead: a Down for a dead watcher goes nowhere
	}
	s.wake(via, p)
}

func (p *process) down(ref actor.Ref, pid actor.PID, reason error) {
	p.sys.pushForce(p, downEnvelope(ref, pid, reason))
}
