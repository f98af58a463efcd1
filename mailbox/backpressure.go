package mailbox

import "context"

// fullSpins is how many times a Backpressure producer finding the queue full
// yields before it parks.
const fullSpins = 4

// wait blocks a Backpressure producer until there may be room.
func (q *Queue[T]) wait(ctx context.Context) error {
	if q.closed.Load() {
		return ErrClosed
	}
	// Push refused a nil ctx before it got here.
	if err := ctx.Err(); err != nil {
		return err
	}
	done := ctx.Done()
	w := q.slowPath()
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	w.list = append(w.list, ch)
	q.cons.waiters.Add(1)
	w.mu.Unlock()
	// Registered first, then checked: a consumer that frees a slot after
	// this point sees waiters > 0 and wakes someone (see doc.go, invariant 6).
	if q.length() < q.capacity || q.closed.Load() {
		q.cancelWait(w, ch)
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-done:
		q.cancelWait(w, ch)
		return ctx.Err()
	}
}

// cancelWait removes ch from the wait list. If a consumer already woke ch,
// the wake-up is passed on so that no other waiter sleeps beside free room
// (see doc.go, invariant 6).
func (q *Queue[T]) cancelWait(w *slowPath[T], ch chan struct{}) {
	w.mu.Lock()
	for i, c := range w.list {
		if c == ch {
			w.list = append(w.list[:i], w.list[i+1:]...)
			q.cons.waiters.Add(-1)
			w.mu.Unlock()
			return
		}
	}
	w.mu.Unlock()
	if q.cons.waiters.Load() > 0 {
		q.wakeOne()
	}
}

func (q *Queue[T]) wakeOne() {
	w := q.slow.Load()
	if w == nil {
		return
	}
	w.mu.Lock()
	if len(w.list) > 0 {
		ch := w.list[0]
		w.list[0] = nil
		w.list = w.list[1:]
		q.cons.waiters.Add(-1)
		ch <- struct{}{}
	}
	w.mu.Unlock()
}
