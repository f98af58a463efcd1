package mailbox

// Waiters returns the number of Backpressure producers asleep on q.
func Waiters[T any](q *Queue[T]) int { return int(q.cons.waiters.Load()) }

// Segments returns the number of segments q currently references.
func Segments[T any](q *Queue[T]) int {
	n := 0
	seg := q.cons.head
	if seg == nil {
		seg = q.prod.first.Load()
	}
	for ; seg != nil; seg = seg.next.Load() {
		n++
	}
	return n
}

// ClaimOnly claims a slot of q for v as a push does and returns the rest of
// the push: until fill is called, v is claimed but not visible to Pop, as a
// message is while its producer's store is still on its way.
func ClaimOnly[T any](q *Queue[T], v T) (fill func()) {
	id, i, err := q.claim(true)
	if err != nil {
		panic(err)
	}
	return func() {
		if err := q.fill(id, i, v); err != nil {
			panic(err)
		}
	}
}
