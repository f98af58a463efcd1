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
