package mailbox

import "sync/atomic"

type node[S any] struct {
	v    S
	next *node[S]
}

// Control is the unbounded multi-producer, single-consumer control lane. Push
// never blocks and never fails; the consumer takes everything queued at once
// with Take. The zero value is an empty lane ready for use.
type Control[S any] struct {
	top atomic.Pointer[node[S]]
}

// Push appends s. It is safe for concurrent use and never blocks; signals
// pushed by one goroutine are taken in the order pushed.
func (c *Control[S]) Push(s S) {
	n := &node[S]{v: s}
	for {
		t := c.top.Load()
		n.next = t
		// See doc.go, invariant 1: the signal is linked before the
		// producer's Notify loads the run state.
		if c.top.CompareAndSwap(t, n) {
			return
		}
	}
}

// Empty reports whether nothing is queued. Safe for concurrent use.
func (c *Control[S]) Empty() bool { return c.top.Load() == nil }

// Take removes everything queued and returns it oldest first. Only the
// consumer calls it.
func (c *Control[S]) Take() Batch[S] {
	n := c.top.Swap(nil)
	var prev *node[S]
	for n != nil {
		next := n.next
		n.next = prev
		prev, n = n, next
	}
	return Batch[S]{n: prev}
}

// Batch is a run of signals taken from a Control lane, oldest first.
type Batch[S any] struct{ n *node[S] }

// Next returns the next signal of the batch, or false when it is exhausted.
func (b *Batch[S]) Next() (S, bool) {
	if b.n == nil {
		var zero S
		return zero, false
	}
	v := b.n.v
	b.n = b.n.next
	return v, true
}
