package system

import (
	"container/heap"
	"sync"
	"time"

	"github.com/airssys/rt/actor"
)

// timers holds the system's pending timers (SendAfter, SendInterval,
// receive timeouts) in a heap ordered by due time. One goroutine, started
// through the workers when the first timer is armed and gone when none is
// pending, waits for the earliest and delivers what is due; an idle system
// holds no goroutine for timers, and an armed timer costs a heap entry, not
// a goroutine. All of it runs on the time package's clock, so inside a
// testing/synctest bubble timers fire in virtual time.
//
// A timer names processes by PID only: a pending timer never keeps a dead
// process (or its mailbox) reachable.
type timers struct {
	mu      sync.Mutex
	pending timerHeap
	serving bool          // the timer goroutine runs
	wake    chan struct{} // the earliest due time changed, or closed
	closed  bool
}

// Timer kinds.
const (
	timerSend uint8 = iota // SendAfter or SendInterval: deliver msg
	timerIdle              // a receive timeout (see receivetimeout.go)
)

// timer is one pending timer. Its fields other than due and idx are fixed
// when it is armed; due, idx and done are under timers.mu.
type timer struct {
	due      time.Time
	idx      int // place in the heap; -1 while out of it
	from, to actor.PID
	msg      any
	every    time.Duration // > 0: periodic, re-armed every this much
	kind     uint8
	owned    bool // cancelled when from exits: listed in its procExt.timers
	done     bool // fired (one-shot), cancelled, stopped or dropped at Shutdown

	// The owner's list of the timers it owns, under the owner's mu: a
	// list, not a map, so that an owned timer costs its own allocation
	// and no map entry.
	listed     bool
	prev, next *timer
}

// arm puts t in the heap and starts the timer goroutine if none runs. It
// reports false, arming nothing, once Shutdown has begun. An owned timer
// is listed with its owner p, whose exit cancels it, before it is in the
// heap: so it cannot fire, and be unlisted, before it is listed.
func (s *System) arm(t *timer, p *process) bool {
	t.idx = -1
	if t.owned {
		p.ownTimer(t) // cancels t at once if p has exited
	}
	tm := &s.timers
	tm.mu.Lock()
	if tm.closed || s.stopping.Load() {
		t.done = true
		tm.mu.Unlock()
		if t.owned {
			p.disownTimer(t)
		}
		return false
	}
	if t.done {
		tm.mu.Unlock()
		return true // its owner has exited: armed and cancelled at once
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
	return true
}

// cancelFunc returns the function that cancels t for its user.
func (s *System) cancelFunc(t *timer) func() bool {
	return func() bool {
		if !s.timers.cancel(t) {
			return false
		}
		s.disown(t)
		return true
	}
}

// disown forgets t in its owner's record, if it has an owner still alive.
func (s *System) disown(t *timer) {
	if !t.owned {
		return
	}
	if p, ok := s.reg.Lookup(t.from); ok {
		p.disownTimer(t)
	}
}

// ownTimer records t, a timer p owns, so that p's exit cancels it; if p has
// already exited, it cancels t at once.
func (p *process) ownTimer(t *timer) {
	p.mu.Lock()
	if p.status.Load() != statusDead {
		ext := p.extLocked()
		t.next = ext.timers
		if t.next != nil {
			t.next.prev = t
		}
		ext.timers, t.listed = t, true
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	p.sys.timers.cancel(t)
}

// disownTimer forgets t, a timer p owns that fired, stopped or was
// cancelled.
func (p *process) disownTimer(t *timer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ext == nil || !t.listed {
		return // not listed, or p has exited and dropped its list
	}
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		p.ext.timers = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next, t.listed = nil, nil, false
}

// cancel stops t; false if it had already fired (one-shot), been cancelled
// or stopped. A periodic timer's tick being delivered as cancel runs may
// still arrive; none is sent after that.
func (tm *timers) cancel(t *timer) bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	if t.idx >= 0 {
		heap.Remove(&tm.pending, t.idx)
	}
	if len(tm.pending) == 0 && tm.serving {
		tm.poke() // let the goroutine go rather than wait for nothing
	}
	return true
}

// rearm puts periodic timer t back in the heap, due at due, unless it was
// cancelled while it fired or the timers are closed. It reports whether it
// did.
func (tm *timers) rearm(t *timer, due time.Time) bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if t.done || tm.closed {
		t.done = true
		return false
	}
	t.due = due
	heap.Push(&tm.pending, t)
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
		t.done = true
	}
	if tm.serving {
		tm.poke()
	}
	return left
}

// serveTimers is the timer goroutine: it delivers each timer when due,
// re-arms the periodic ones, and returns once none is pending.
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
			if next.every == 0 {
				next.done = true
			}
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

// fire handles a due timer, out of the heap; a periodic one is re-armed
// here unless it stops. A one-shot timer leaves its owner's list before its
// message is out, so whoever receives it finds the list without it.
func (s *System) fire(t *timer) {
	if t.every == 0 {
		s.disown(t)
	}
	var again time.Time
	switch t.kind {
	case timerIdle:
		again = s.fireIdle(t)
	default:
		again = s.fireSend(t)
	}
	if t.every > 0 && (again.IsZero() || !s.timers.rearm(t, again)) {
		if again.IsZero() {
			s.timers.stopped(t) // stopped by itself: a cancel now reports false
		}
		s.disown(t)
	}
}

// stopped marks t done: it will not fire again.
func (tm *timers) stopped(t *timer) {
	tm.mu.Lock()
	t.done = true
	tm.mu.Unlock()
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

// droppedAtShutdown sends a timer still pending at Shutdown to the dead
// letters; a receive timeout has no message to lose.
func (s *System) droppedAtShutdown(t *timer) {
	if t.kind == timerSend {
		s.deadLetter(t.to, t.from, t.msg, actor.ErrStopped)
	}
}
