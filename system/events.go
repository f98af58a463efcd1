package system

import (
	"context"
	"sync"

	"github.com/airssys/rt/actor"
)

// Subscription receives the events published on a system's event stream
// after it was created: actor.ProcessStarted, actor.ProcessExited,
// actor.DeadLetter, and whatever processes publish (supervision events).
// Events are queued without bound and never dropped, so a subscriber must
// read or Close. Methods are safe for concurrent use.
type Subscription struct {
	sys    *System
	filter func(any) bool
	mu     sync.Mutex
	queue  []any
	closed bool
	wake   chan struct{}
}

// Subscribe returns a subscription to the events for which filter returns
// true (all events if filter is nil). filter runs on the publishing
// goroutine and must be fast and not block.
func (s *System) Subscribe(filter func(event any) bool) *Subscription {
	sub := &Subscription{sys: s, filter: filter, wake: make(chan struct{}, 1)}
	s.subsMu.Lock()
	old := s.subs.Load()
	var next []*Subscription
	if old != nil {
		next = append(next, *old...)
	}
	next = append(next, sub)
	s.subs.Store(&next)
	s.subsMu.Unlock()
	return sub
}

// Next returns the next event, waiting until one arrives, ctx ends
// (ctx.Err()) or the subscription is closed (ErrSubscriptionClosed).
func (sub *Subscription) Next(ctx context.Context) (any, error) {
	for {
		sub.mu.Lock()
		if len(sub.queue) > 0 {
			ev := sub.queue[0]
			sub.queue[0] = nil
			sub.queue = sub.queue[1:]
			sub.mu.Unlock()
			return ev, nil
		}
		if sub.closed {
			sub.mu.Unlock()
			return nil, ErrSubscriptionClosed
		}
		sub.mu.Unlock()
		select {
		case <-sub.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// TryNext returns the next event if one is queued.
func (sub *Subscription) TryNext() (any, bool) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if len(sub.queue) == 0 {
		return nil, false
	}
	ev := sub.queue[0]
	sub.queue[0] = nil
	sub.queue = sub.queue[1:]
	return ev, true
}

// Close ends the subscription; queued events are discarded and Next returns
// ErrSubscriptionClosed. Close is idempotent.
func (sub *Subscription) Close() {
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
	sub.closed = true
	sub.queue = nil
	sub.mu.Unlock()
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

func (sub *Subscription) push(ev any) {
	if sub.filter != nil && !sub.filter(ev) {
		return
	}
	sub.mu.Lock()
	if sub.closed {
		sub.mu.Unlock()
		return
	}
	sub.queue = append(sub.queue, ev)
	sub.mu.Unlock()
	select {
	case sub.wake <- struct{}{}:
	default:
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
	s.deadLetters.Add(1)
	if s.debug {
		s.logger.Debug().Stringer("to", to).Stringer("from", from).
			Str("type", typeName(msg)).AnErr("reason", reason).Msg("dead letter")
	}
	if s.hasSubscribers() {
		s.Publish(actor.DeadLetter{To: to, From: from, Message: msg, Reason: reason})
	}
}
