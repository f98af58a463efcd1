package system

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// DefaultEventBuffer is the number of events a Subscription holds unread
// before it drops new ones.
const DefaultEventBuffer = 4096

// Subscription receives the events published on a system's event stream
// after it was created: actor.ProcessStarted, actor.ProcessExited,
// actor.DeadLetter, and whatever processes publish (supervision events).
//
// A subscription is bounded: once it holds its capacity of unread events,
// each new one is dropped and counted (Dropped), so a slow reader never
// blocks the runtime and never makes it hold memory without limit.
// Methods are safe for concurrent use.
type Subscription struct {
	sys     *System
	filter  func(any) bool
	wake    chan struct{}
	dropped atomic.Uint64

	mu       sync.Mutex
	buf      []any // ring of unread events, grown up to capacity
	head, n  int
	capacity int
	closed   bool
	err      error // what Next returns once the buffer is empty
}

// Subscribe returns a subscription to the events for which filter returns
// true (all events if filter is nil), holding up to DefaultEventBuffer
// unread events. filter runs on the publishing goroutine and must be fast
// and not block; if it panics, the subscription ends (see Next) and the
// publisher goes on.
func (s *System) Subscribe(filter func(event any) bool) *Subscription {
	sub, _ := s.SubscribeBuffered(filter, DefaultEventBuffer)
	return sub
}

// SubscribeBuffered is Subscribe holding up to capacity unread events. A
// capacity below 1 is refused with an error wrapping actor.ErrInvalidOption.
func (s *System) SubscribeBuffered(filter func(event any) bool, capacity int) (*Subscription, error) {
	if capacity < 1 {
		return nil, fmt.Errorf("%w: subscription capacity %d, want at least 1", actor.ErrInvalidOption, capacity)
	}
	sub := &Subscription{sys: s, filter: filter, wake: make(chan struct{}, 1), capacity: capacity}
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	old := s.subs.Load()
	var next []*Subscription
	if old != nil {
		next = append(next, *old...)
	}
	next = append(next, sub)
	s.subs.Store(&next)
	return sub, nil
}

// Next returns the next event, waiting until one arrives or ctx ends
// (ctx.Err()). Once the subscription has ended and its events are read, it
// returns at once: ErrSubscriptionClosed after Close, actor.ErrStopped after
// the system's Shutdown, and after a panic in the filter an error wrapping
// ErrSubscriptionClosed and the *actor.PanicError. A nil ctx is refused
// with actor.ErrNilContext.
func (sub *Subscription) Next(ctx context.Context) (any, error) {
	if ctx == nil {
		return nil, actor.ErrNilContext
	}
	for {
		sub.mu.Lock()
		if ev, ok := sub.popLocked(); ok {
			sub.mu.Unlock()
			return ev, nil
		}
		if sub.closed {
			err := sub.err
			sub.mu.Unlock()
			return nil, err
		}
		sub.mu.Unlock()
		if sub.sys.stopped.Load() {
			// Events published after Shutdown (dead letters of late
			// sends) are still queued, but nothing waits for them.
			return nil, actor.ErrStopped
		}
		select {
		case <-sub.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// TryNext returns the next event if one is queued. It never blocks.
func (sub *Subscription) TryNext() (any, bool) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return sub.popLocked()
}

// Dropped returns how many events this subscription dropped because it
// held its capacity of unread events.
func (sub *Subscription) Dropped() uint64 { return sub.dropped.Load() }

// Close ends the subscription; queued events are discarded and Next returns
// ErrSubscriptionClosed. Close is idempotent.
func (sub *Subscription) Close() {
	sub.end(ErrSubscriptionClosed, true)
}

// end removes sub from the stream and makes Next return err once the
// buffer is empty; Close (discard) also empties the buffer, and its err
// replaces any earlier one.
func (sub *Subscription) end(err error, discard bool) {
	s := sub.sys
	s.subsMu.Lock()
	if old := s.subs.Load(); old != nil {
		next := make([]*Subscription, 0, len(*old))
		for _, x := range *old {
			if x != sub {
				next = append(next, x)
			}
		}
		s.subs.Store(&next)
	}
	s.subsMu.Unlock()
	sub.mu.Lock()
	if !sub.closed || discard {
		sub.closed, sub.err = true, err
	}
	if discard {
		sub.buf, sub.head, sub.n = nil, 0, 0
	}
	sub.mu.Unlock()
	sub.signal()
}

func (sub *Subscription) signal() {
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

func (sub *Subscription) popLocked() (any, bool) {
	if sub.n == 0 {
		return nil, false
	}
	ev := sub.buf[sub.head]
	sub.buf[sub.head] = nil
	sub.head = (sub.head + 1) % len(sub.buf)
	sub.n--
	return ev, true
}

func (sub *Subscription) push(ev any) {
	if sub.filter != nil && !sub.match(ev) {
		return
	}
	sub.mu.Lock()
	if sub.closed {
		sub.mu.Unlock()
		return
	}
	if sub.n == sub.capacity {
		sub.mu.Unlock()
		sub.dropped.Add(1)
		return
	}
	if sub.n == len(sub.buf) {
		sub.growLocked()
	}
	sub.buf[(sub.head+sub.n)%len(sub.buf)] = ev
	sub.n++
	sub.mu.Unlock()
	sub.signal()
}

// growLocked doubles the ring, up to the capacity.
func (sub *Subscription) growLocked() {
	size := min(max(2*len(sub.buf), 16), sub.capacity)
	buf := make([]any, size)
	for i := range sub.n {
		buf[i] = sub.buf[(sub.head+i)%len(sub.buf)]
	}
	sub.buf, sub.head = buf, 0
}

// match runs the filter. A panic in it ends this subscription alone, with
// the panic as the error Next returns, and is logged.
func (sub *Subscription) match(ev any) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			ok = false
			pe := actor.NewPanicError(actor.PID{}, v)
			sub.sys.logger.Error().Str("event", typeName(ev)).Bytes("stack", pe.Stack()).
				Msgf("subscription filter panicked: %v", v)
			sub.end(fmt.Errorf("%w: filter panicked: %w", ErrSubscriptionClosed, pe), false)
		}
	}()
	return sub.filter(ev)
}

// endSubscriptions wakes every subscription's Next, which returns
// actor.ErrStopped once it has nothing queued. Shutdown calls it once
// s.stopped is set.
func (s *System) endSubscriptions() {
	if subs := s.subs.Load(); subs != nil {
		for _, sub := range *subs {
			sub.signal()
		}
	}
}

// Publish delivers event to every subscriber. It never blocks.
func (s *System) Publish(event any) {
	subs := s.subs.Load()
	if subs == nil {
		return
	}
	for _, sub := range *subs {
		sub.push(event)
	}
}

func (s *System) hasSubscribers() bool {
	subs := s.subs.Load()
	return subs != nil && len(*subs) > 0
}

// deadLetter accounts for a message that could not be delivered.
func (s *System) deadLetter(to, from actor.PID, msg any, reason error) {
	s.deadBy[classifyDeadLetter(reason)].Add(1)
	if s.debug {
		s.logger.Debug().Stringer("to", to).Stringer("from", from).
			Str("type", typeName(msg)).AnErr("reason", reason).Msg("dead letter")
	}
	if s.hasSubscribers() {
		s.Publish(actor.DeadLetter{To: to, From: from, Message: msg, Reason: reason})
	}
}
