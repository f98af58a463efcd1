package system

import (
	"github.com/airssys/rt/actor"
)

// probe is a health probe on its way through the target's user lane.
type probe struct {
	ref actor.Ref
	by  actor.PID
}

func (p *process) Probe(pid actor.PID) (actor.Ref, error) {
	if p.status.Load() == statusDead {
		return actor.Ref{}, actor.ErrNotInProcess
	}
	s := p.sys
	if s.stopped.Load() {
		return actor.Ref{}, actor.ErrStopped
	}
	if err := s.checkPID(pid); err != nil {
		return actor.Ref{}, err
	}
	q, ok := s.reg.LookupCached(pid)
	if !ok || q.status.Load() == statusDead {
		return actor.Ref{}, actor.ErrNoProcess
	}
	ref := actor.NewRef()
	if !s.pushForce(q, envelope{msg: probe{ref: ref, by: p.pid}, from: mark(kindProbe)}) {
		return actor.Ref{}, actor.ErrNoProcess
	}
	return ref, nil
}

// answerProbe runs in p's turn when it reaches probe pr: it calls the
// actor's Check, if it has one, and sends the prober the result, past the
// bound of its mailbox. A panic in Check ends p as one in Receive does,
// and no result is sent.
func (p *process) answerProbe(pr probe) {
	var err error
	if c, ok := p.actor.(actor.Checker); ok {
		err = p.callCheck(c, pr.by)
	}
	if p.stop != nil {
		return // Check crashed or stopped the process: its exit tells the prober
	}
	q, ok := p.sys.reg.Lookup(pr.by)
	if !ok || q.status.Load() == statusDead {
		return
	}
	res := actor.ProbeResult{Ref: pr.ref, PID: p.pid, Err: err}
	p.sys.pushForce(q, envelope{msg: res, from: p.pid})
}

func (p *process) callCheck(c actor.Checker, by actor.PID) error {
	p.cur, p.replied = current{from: by}, false
	defer p.recoverHandler(actor.ProbeResult{})
	p.setCalling(inReceive)
	err := c.Check(p)
	p.setCalling(inNone)
	p.cur = current{}
	return err
}
