package system

import (
	"context"
	"errors"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// sendAfter arms a timer that sends msg from p to to after d, and returns
// its cancel function (see actor.Context.SendAfter for the errors). A
// timer p sets for itself is cancelled when p exits.
func (s *System) sendAfter(d time.Duration, p *process, to actor.PID, msg any) (func() bool, error) {
	if d < 0 {
		return nil, actor.ErrBadDuration
	}
	if err := s.checkPID(to); err != nil {
		return nil, err
	}
	t := &timer{due: time.Now().Add(d), from: p.pid, to: to, msg: msg, owned: to == p.pid}
	if !s.arm(t, p) {
		return nil, actor.ErrStopped
	}
	return s.cancelFunc(t), nil
}

// sendInterval arms a periodic timer owned by p (nil: by no process).
func (s *System) sendInterval(d time.Duration, p *process, to actor.PID, msg any) (func() bool, error) {
	if d <= 0 {
		return nil, actor.ErrBadDuration
	}
	if err := s.timerPID(to); err != nil {
		return nil, err
	}
	t := &timer{due: time.Now().Add(d), to: to, msg: msg, every: d}
	if p != nil {
		t.from, t.owned = p.pid, true
	}
	if !s.arm(t, p) {
		return nil, actor.ErrStopped
	}
	return s.cancelFunc(t), nil
}

// SendAfter sends msg to pid after d, from outside any process (the
// message's sender is the zero PID); d == 0 sends at the next tick of the
// timer goroutine. The returned function cancels the send if it has not
// happened and reports whether it did. The timer runs on the time
// package's clock: inside a testing/synctest bubble it fires in virtual
// time. It never blocks; a message the target cannot take when due goes to
// the dead letters, as a Send's would, and a timer still pending at
// Shutdown sends its message to the dead letters with actor.ErrStopped.
//
// Errors (nothing is armed): actor.ErrBadDuration for d < 0,
// actor.ErrZeroPID, actor.ErrForeignPID (unless a Foreign handles the PID:
// see SetForeign), actor.ErrStopped once Shutdown
// has begun.
func (s *System) SendAfter(d time.Duration, pid actor.PID, msg any) (cancel func() bool, err error) {
	if d < 0 {
		return nil, actor.ErrBadDuration
	}
	if err := s.timerPID(pid); err != nil {
		return nil, err
	}
	t := &timer{due: time.Now().Add(d), to: pid, msg: msg}
	if !s.arm(t, nil) {
		return nil, actor.ErrStopped
	}
	return s.cancelFunc(t), nil
}

// SendInterval sends msg to pid every d, from outside any process: at d,
// 2d, 3d… after the call, on the time package's clock (virtual time inside
// a testing/synctest bubble). It stops when cancel is called, when pid has
// exited (the tick that found it gone is a dead letter) and at Shutdown. A
// tick that finds pid's mailbox full goes to the dead letters and the next
// one tries again: a timer never waits for room, never holds a goroutine,
// and never piles ticks past a mailbox's bound. The ticks of one timer
// arrive in order.
//
// Errors (nothing is armed): actor.ErrBadDuration for d <= 0,
// actor.ErrZeroPID, actor.ErrForeignPID (unless a Foreign handles the PID:
// see SetForeign), actor.ErrStopped once Shutdown
// has begun.
func (s *System) SendInterval(d time.Duration, pid actor.PID, msg any) (cancel func() bool, err error) {
	return s.sendInterval(d, nil, pid, msg)
}

// fireSend delivers a due SendAfter or SendInterval as if its owner sent
// it, and returns when a periodic timer is due next (zero: it stops). A
// process's timer to itself dies with it, as in Erlang; a one-shot one is
// never refused by its full mailbox. The timer goroutine never waits for room:
// when a Backpressure mailbox is full, a one-shot's message waits on a
// goroutine of its own, as a sender would, and the other timers go on; a
// periodic tick goes to the dead letters instead.
func (s *System) fireSend(t *timer) (again time.Time) {
	from, alive := s.reg.Lookup(t.from)
	if t.owned && !alive {
		return time.Time{} // died with its owner
	}
	if s.stopping.Load() {
		s.deadLetter(t.to, t.from, t.msg, actor.ErrStopped)
		return time.Time{}
	}
	if t.every > 0 {
		again = t.due.Add(t.every)
	}
	if t.from == t.to && t.every == 0 {
		// A process's reminder to itself is its own bookkeeping (a
		// supervisor's restart retry or backoff): its full mailbox never
		// refuses it, as it never refuses a Down. Periodic ticks are not:
		// past the bound they would pile up behind a slow handler.
		if from.mb.User.PushForce(envelope{msg: t.msg, from: t.from}) == nil {
			s.wake(nil, from)
		}
		return again
	}
	err := s.deliverNoWait(from, t.from, t.to, t.msg)
	switch {
	case err == nil:
		return again
	case errors.Is(err, actor.ErrNoProcess), errors.Is(err, actor.ErrStopped):
		return time.Time{} // the target is gone: nothing to tick for
	case !errors.Is(err, mailbox.ErrFull) || !s.waitsForRoom(t.to):
		return again // a dead letter already, as a Send's would be
	case t.every > 0:
		s.deadLetter(t.to, t.from, t.msg, actor.ErrMailboxFull)
		return again
	}
	if !s.workers.goFunc(func() { _ = s.push(context.Background(), from, t.from, t.to, t.msg, nil, true) }) {
		s.deadLetter(t.to, t.from, t.msg, actor.ErrStopped)
	}
	return time.Time{}
}

// waitsForRoom reports whether pid's mailbox is Backpressure, whose
// refusal deliverNoWait leaves to its caller instead of the dead letters.
func (s *System) waitsForRoom(pid actor.PID) bool {
	q, ok := s.reg.Lookup(pid)
	return ok && q.mb.User.Policy() == mailbox.Backpressure
}
