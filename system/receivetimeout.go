package system

import (
	"sync/atomic"
	"time"

	"github.com/airssys/rt/actor"
)

// recvTimeout is a process's receive timeout (Context.SetReceiveTimeout).
// It is armed as one periodic timer of kind timerIdle that is not moved
// on every message: the owner only stamps the time of each message it
// handles (one clock read, for processes that set a timeout), and the
// timer, when due, looks at the stamp and either re-arms itself for d after
// it or delivers a ReceiveTimeout.
//
// A ReceiveTimeout carries the count of messages handled when it was sent;
// if the process has handled another since (one that was already queued
// behind it, or SetReceiveTimeout was called), it is stale and dropped
// unseen. So a ReceiveTimeout is received only after d with no message.
type recvTimeout struct {
	base time.Time    // the clock's reading when set; last counts from it
	last atomic.Int64 // time.Duration since base of the last message handled
	seq  atomic.Uint64
	// queued is set while a ReceiveTimeout is in the mailbox, not yet
	// handled: the timer queues no other, so a handler that runs for many
	// periods does not pile them up.
	queued atomic.Bool
	d      time.Duration // owner: the timeout in force, 0 when off
	t      *timer        // owner: the armed timer, nil when off
}

// touch records that p's owner handled a message just now. Owner only;
// the timer reads it.
func (rt *recvTimeout) touch() {
	rt.last.Store(int64(time.Since(rt.base)))
	rt.seq.Add(1)
}

// SetReceiveTimeout implements actor.Context.
func (p *process) SetReceiveTimeout(d time.Duration) error {
	if d < 0 {
		return actor.ErrBadDuration
	}
	if p.status.Load() == statusDead {
		return actor.ErrNotInProcess
	}
	rt := p.rt
	if rt == nil {
		if d == 0 {
			return nil
		}
		// Written before the timer is armed under timers.mu, so the timer
		// goroutine, which pops it under the same lock, sees it.
		rt = &recvTimeout{base: time.Now()}
		p.rt = rt
	}
	if rt.t != nil {
		p.sys.timers.cancel(rt.t)
		p.disownTimer(rt.t)
		rt.t = nil
	}
	rt.d = d
	rt.touch() // a ReceiveTimeout already queued is stale now
	if d == 0 {
		return nil
	}
	t := &timer{due: time.Now().Add(d), from: p.pid, to: p.pid, every: d, kind: timerIdle, owned: true}
	if !p.sys.arm(t, p) {
		rt.d = 0
		return actor.ErrStopped
	}
	rt.t = t
	return nil
}

// fireIdle handles a due receive timeout: d after the last message it
// delivers a ReceiveTimeout and is due again d later; before that it is
// due again d after the last message.
func (s *System) fireIdle(t *timer) (again time.Time) {
	p, ok := s.reg.Lookup(t.from)
	if !ok || s.stopping.Load() {
		return time.Time{}
	}
	rt := p.rt
	seq := rt.seq.Load()
	quiet := rt.base.Add(time.Duration(rt.last.Load()) + t.every)
	if time.Now().Before(quiet) {
		return quiet
	}
	if !rt.queued.CompareAndSwap(false, true) {
		return t.due.Add(t.every) // one is waiting to be handled already
	}
	if p.mb.User.PushForce(envelope{msg: seq, from: mark(kindIdle)}) == nil {
		s.wake(nil, p)
	} else {
		rt.queued.Store(false)
	}
	return t.due.Add(t.every)
}

// receiveTimeout reports whether a ReceiveTimeout sent when p had handled
// seq messages is still current. Owner only.
func (p *process) receiveTimeout(seq uint64) bool {
	rt := p.rt
	return rt != nil && rt.d > 0 && rt.seq.Load() == seq
}
