package system

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// timers holds the system's pending SendAfter messages in a heap ordered by
// due time. One goroutine, started through the workers when the first timer
// is armed and gone when none is pending, waits for the earliest and
// delivers what is due; an idle system holds no goroutine for timers. All of
// it runs on the time package's clock, so inside a testing/synctest bubble
// timers fire in virtual time.
type timers struct {
	mu      sync.Mutex
	pending timerHeap
	serving bool          // the timer goroutine runs
	wake    chan struct{} // the earliest due time changed, or closed
	closed  bool
}

// timer is one pending SendAfter.
type timer struct {
	due      time.Time
	idx      int // place in the heap; -1 once fired, cancelled or dropped
	from, to actor.PID
	msg      any
}

// sendAfter arms a timer that sends msg from p to to after d, and returns
// its cancel function. A timer armed after Shutdown has begun is refused:
// its message goes to the dead letters at once. A timer p sets for itself is
// cancelled when p exits (see process.ownTimer).
func (s *System) sendAfter(d time.Duration, p *process, to actor.PID, msg any) func() bool {
	tm := &s.timers
	from := p.pid
	t := &timer{due: time.Now().Add(d), from: from, to: to, msg: msg}
	tm.mu.Lock()
	if tm.closed || s.stopping.Load() {
		tm.mu.Unlock()
		s.deadLetter(to, from, msg, actor.ErrStopped)
		return func() bool { return false }
	}
	heap.Push(&tm.pending, t)
	switch {
	case !tm.serving:
		if tm.wake == nil {
			tm.wake = make(chan struct{}, 1)
		}
		tm.serving = s.workers.goFunc(s.serveTimers)
	case t.idx == 0:
		tm.poke()
	}
	tm.mu.Unlock()
	if to == from {
		p.ownTimer(t)
	}
	return func() bool {
		if !s.timers.cancel(t) {
			return false
		}
		if to == from {
			p.disownTimer(t)
		}
		return true
	}
}

// ownTimer records t, a timer p set for itself, so that p's exit cancels
// it; if p has already exited, it cancels t at once.
func (p *process) ownTimer(t *timer) {
	p.mu.Lock()
	if p.status.Load() != statusDead {
		ext := p.extLocked()
		if ext.timers == nil {
			ext.timers = make(map[*timer]struct{})
		}
		ext.timers[t] = struct{}{}
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	p.sys.timers.cancel(t)
}

// disownTimer forgets t, a timer p set for itself that fired or was
// cancelled.
func (p *process) disownTimer(t *timer) {
	p.mu.Lock()
	if p.ext != nil {
		delete(p.ext.timers, t)
	}
	p.mu.Unlock()
}

// cancel takes t out of the heap; false if it already fired or was dropped.
func (tm *timers) cancel(t *timer) bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if t.idx < 0 {
		return false
	}
	heap.Remove(&tm.pending, t.idx)
	if len(tm.pending) == 0 {
		tm.poke() // let the goroutine go rather than wait for nothing
	}
	return true
}

// poke wakes the timer goroutine. Under tm.mu.
func (tm *timers) poke() {
	select {
	case tm.wake <- struct{}{}:
	default:
	}
}

// close refuses every later timer and returns those still pending.
func (tm *timers) close() []*timer {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.closed = true
	left := tm.pending
	tm.pending = nil
	for _, t := range left {
		t.idx = -1
	}
	if tm.serving {
		tm.poke()
	}
	return left
}

// serveTimers is the timer goroutine: it delivers each timer when due and
// returns once none is pending.
func (s *System) serveTimers() {
	tm := &s.timers
	var clock *time.Timer
	defer func() {
		if clock != nil {
			clock.Stop()
		}
	}()
	for {
		tm.mu.Lock()
		if len(tm.pending) == 0 {
			tm.serving = false
			tm.mu.Unlock()
			return
		}
		next := tm.pending[0]
		wait := time.Until(next.due)
		if wait <= 0 {
			heap.Pop(&tm.pending)
			tm.mu.Unlock()
			s.fire(next)
			continue
		}
		tm.mu.Unlock()
		if clock == nil {
			clock = time.NewTimer(wait)
		} else {
			clock.Reset(wait)
		}
		select {
		case <-clock.C:
		case <-tm.wake:
		}
	}
}

// fire delivers a due timer's message as if its owner sent it. A process's
// timer to itself dies with it, as in Erlang, and is never refused by its
// full mailbox. The timer goroutine never
// waits for room: when a Backpressure mailbox is full, a goroutine of its
// own waits, as a sender would, and the other timers go on.
func (s *System) fire(t *timer) {
	from, alive := s.reg.Lookup(t.from)
	if t.from == t.to {
		if !alive {
			return
		}
		from.disownTimer(t)
	}
	if s.stopping.Load() {
		s.deadLetter(t.to, t.from, t.msg, actor.ErrStopped)
		return
	}
	if t.from == t.to {
		// A process's reminder to itself is its own bookkeeping (a
		// supervisor's restart retry or backoff): its full mailbox never
		// refuses it, as it never refuses a Down.
		if from.mb.User.PushForce(envelope{msg: t.msg, from: t.from}) == nil {
			s.wake(nil, from)
		}
		return
	}
	err := s.deliverNoWait(from, t.from, t.to, t.msg)
	if !errors.Is(err, mailbox.ErrFull) {
		return
	}
	if !s.workers.goFunc(func() { _ = s.push(context.Background(), from, t.from, t.to, t.msg, nil, true) }) {
		s.deadLetter(t.to, t.from, t.msg, actor.ErrStopped)
	}
}

// timerHeap orders timers by due time, for container/heap.
type timerHeap []*timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.idx = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.idx = -1
	*h = old[:len(old)-1]
	return t
}
