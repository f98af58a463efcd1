package system

import (
	"context"
	"errors"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// signal sends exit signal sig to pid (see process.enqueueSignal); a dead
// or unknown pid ignores it.
func (s *System) signal(pid actor.PID, sig signal) { s.signalVia(nil, pid, sig) }

func (s *System) signalVia(via *process, pid actor.PID, sig signal) {
	q, ok := s.reg.Lookup(pid)
	if !ok || q.status.Load() == statusDead {
		if !ok && pid.System() != s.num {
			s.foreignSignal(pid, sig)
		}
		return
	}
	if q.enqueueSignal(sig) {
		s.wake(via, q)
	}
}

// enqueueSignal puts exit signal sig in p's mailbox and reports whether it
// is there (false once p is dead, or when sig is ignored). A signal that
// ends p without p seeing it goes to the control lane and acts at once,
// overtaking whatever p has queued. A Normal exit signal to a process that
// does not trap exits (from another process) is ignored at once, as it
// would be when received, so that it never takes room in the mailbox.
// Any other waits in the user lane behind what its sender sent before it,
// and p receives it in that order (see process.receiveExit).
func (p *process) enqueueSignal(sig signal) bool {
	p.doom(&sig)
	switch {
	case sig.fatal:
		p.mb.Control.Push(sig)
		return true
	case !p.trap.Load() && ignoredUntrapped(sig, p.pid):
		return false
	}
	return p.mb.User.PushForce(p.exitEnvelope(sig)) == nil
}

// fromParent reports whether sig is a stop from p's parent or the system,
// which a trapping process obeys once it has seen it.
func (p *process) fromParent(sig *signal) bool {
	return sig.parental || (!sig.from.IsZero() && sig.from == p.parent)
}

// exitEnvelope is sig as a user-lane entry, of the kind that says how p
// receives it.
func (p *process) exitEnvelope(sig signal) envelope {
	parental := p.fromParent(&sig)
	kind := kindExit
	switch {
	case sig.kind == sigLinkExit && parental:
		kind = kindParentLinkExit
	case sig.kind == sigLinkExit:
		kind = kindLinkExit
	case parental:
		kind = kindParentExit
	}
	return envelope{msg: actor.Exit{From: sig.from, Reason: sig.reason}, from: mark(kind)}
}

// doom cancels p's context at once if sig is an exit signal that will end
// p, so that a handler blocked on the context returns. If sig ends p
// without p seeing it (p does not trap exits and the reason is abnormal, or
// it is Normal sent by p to itself), sig is marked fatal. A process that
// traps exits will also end after it has seen a stop from its parent or
// the system (see dispatch): its context is cancelled then too, but the
// signal is delivered as an Exit in its place.
func (p *process) doom(sig *signal) {
	if p.trap.Load() {
		if p.fromParent(sig) {
			p.cancelContextIf(sig)
		}
		return
	}
	if ignoredUntrapped(*sig, p.pid) {
		return
	}
	sig.fatal = true
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Load() == statusDead {
		return
	}
	if sig.kind == sigLinkExit && !p.linkedLocked(sig.from) {
		sig.fatal = false
		return // unlinked: the signal will be ignored
	}
	p.cancelContextLocked()
}

// ignoredUntrapped reports whether a process self that does not trap exits
// ignores sig: a Normal exit signal, unless it sent it to itself.
func ignoredUntrapped(sig signal, self actor.PID) bool {
	return actor.IsNormal(sig.reason) && !(sig.kind == sigExit && sig.from == self)
}

// cancelContextIf cancels p's context for sig, a stop that ends p once p
// has seen it, unless p is already dead or sig comes through a link p no
// longer has.
func (p *process) cancelContextIf(sig *signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Load() == statusDead || sig.kind == sigLinkExit && !p.linkedLocked(sig.from) {
		return
	}
	p.cancelContextLocked()
}

func (p *process) cancelContextLocked() {
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
	if pid.IsZero() || pid.System() != s.num { // checkPID's test, without its error
		if fs := s.foreignFor(pid); fs != nil && req == nil {
			return fs.f.Send(fromPID, pid, msg)
		}
		err := s.checkPID(pid)
		s.deadLetter(pid, fromPID, msg, err)
		return err
	}
	p, ok := s.reg.LookupCached(pid)
	if !ok {
		s.deadLetter(pid, fromPID, msg, actor.ErrNoProcess)
		return actor.ErrNoProcess
	}
	// via is the process the message was sent to when p is the one its
	// redirect chose (see redirected); nil otherwise.
	var via *process
	if rd := p.redirect.Load(); rd != nil {
		if q := s.redirected(p, rd, fromPID, msg, req); q != nil {
			via, p = p, q
		}
	}
	env := envelope{msg: msg, from: fromPID}
	if req != nil {
		req.msg = msg
		env.msg = req
	}
again:
	var err error
	if p.mb.User.Policy() == mailbox.Backpressure && (!wait || from == p) {
		// A process waiting for room in its own mailbox would wait forever.
		err = p.mb.User.TryPush(env)
		if !wait && errors.Is(err, mailbox.ErrFull) {
			if via != nil {
				goto back
			}
			return err
		}
	} else {
		if ctx == nil {
			ctx = context.Background()
			if from != nil && p.mb.User.Policy() == mailbox.Backpressure {
				// A process that must wait for room waits until it is
				// dead, so that a Kill ends the wait (see deathContext).
				// Trying first keeps the common case from creating that
				// context.
				if err = p.mb.User.TryPush(env); !errors.Is(err, mailbox.ErrFull) {
					goto pushed
				}
				ctx = from.deathContext()
			}
		}
		var old envelope
		var dropped bool
		old, dropped, err = p.mb.User.Push(ctx, env)
		if dropped {
			msg, req := old.userMsg()
			s.deadLetter(p.pid, old.from, msg, actor.ErrDroppedOldest)
			if req != nil {
				req.fail(actor.ErrMailboxFull)
			}
		}
	}
pushed:
	if err != nil {
		if errors.Is(err, mailbox.ErrClosed) {
			if via != nil {
				goto back
			}
			err = actor.ErrNoProcess
		}
		s.deadLetter(p.pid, fromPID, msg, err)
		return err
	}
	if rd := p.redirect.Load(); rd != nil && via == nil {
		rd.busy.Store(true) // queued with the redirecting process: see redirect
	}
	// After the push: see mailbox/doc.go, invariants 1 and 2.
	if p.mb.State.Notify() {
		s.startTurn(p)
	}
	return nil

back:
	// The redirect's target exited meanwhile, or its full Backpressure
	// mailbox refused a caller that cannot wait (no dead letter yet): the
	// process the message was sent to takes it, as if never redirected, by
	// its own mailbox's policy.
	p, via = via, nil
	if req != nil && !req.handOver(p) {
		s.deadLetter(p.pid, fromPID, msg, actor.ErrNoProcess)
		req.fail(&actor.ExitError{PID: p.pid, Reason: p.exitReason()})
		return actor.ErrNoProcess
	}
	goto again
}

// pushForce puts a runtime message (Down, a probe) in p's user lane, past
// the bound, and reports whether p took it (false: p is dead).
func (s *System) pushForce(p *process, env envelope) bool { return s.pushForceVia(nil, p, env) }

func (s *System) pushForceVia(via, p *process, env envelope) bool {
	if p.mb.User.PushForce(env) != nil {
		return false // p is dead: a Down for a dead watcher goes nowhere
	}
	s.wake(via, p)
	return true
}

func (p *process) down(ref actor.Ref, pid actor.PID, reason error) {
	p.sys.pushForce(p, downEnvelope(ref, pid, reason))
}
