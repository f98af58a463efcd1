// Package mailbox provides the queues every process of the runtime owns: a
// bounded lock-free user lane, an unbounded control lane for signals, and a
// run state that decides who may consume them.
//
// # Lanes
//
// [Queue] is the user lane: a multi-producer, single-consumer FIFO with a
// capacity bound. Enqueueing never takes a mutex: a producer claims room and
// a slot with one compare-and-swap on the tail, in a linked list of
// fixed-size segments. Segments are taken as messages arrive and passed back
// once consumed (kept as a spare, then in a pool shared by every queue of the
// same element type, which the garbage collector empties), so the capacity
// is a bound, not an allocation: an empty queue that never held a message
// costs a few words whatever its capacity, and a queue in steady use
// allocates nothing. A queue that has held messages keeps the segment it is
// writing into; a closed queue gives all of its segments back once drained.
//
// [Control] is the control lane: unbounded, never refusing, never dropping.
// The runtime serves it before the user lane.
//
// # Overflow
//
// When the user lane is full, [Policy] decides: [Backpressure] makes the
// producer wait, without spinning, until there is room, its context ends or
// the queue is closed; [DropNewest] refuses the new message with [ErrFull];
// [DropOldest] removes the oldest queued message and hands it back to the
// producer, so that the caller can account for it. [Queue.PushForce] ignores
// the bound: it is for signals that became messages, which are never refused.
//
// # Ordering
//
// Messages pushed by one goroutine are popped in the order pushed. A message
// whose Push returned nil is popped exactly once, or handed to the drain
// function after [Queue.Close]: nothing is lost and nothing is duplicated.
//
// # Run state
//
// [RunState] implements scheduling with no lost wake-up: a producer calls
// [RunState.Notify] after every push, and starts a consumer turn only when
// Notify returns true. The consumer calls [RunState.Begin] before it looks at
// the lanes and [Mailbox.EndTurn] when it finds no work; EndTurn keeps the
// turn going if a producer pushed in between, or while any message is
// queued, even one still being written (its producer may have left it to
// the running turn before Pop can see it), and the consumer looks again. An
// idle queue has no goroutine at all.
//
// # Concurrency
//
// Push, PushForce, Close, Len and Notify are safe for concurrent use. Pop,
// Drain, Begin and EndTurn belong to the single consumer that owns the turn.
package mailbox
