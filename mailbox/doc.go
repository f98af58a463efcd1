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
// # Why no wake-up is lost
//
// A message is never left in a mailbox that no turn will look at, and a
// Backpressure producer never sleeps beside free room. The argument rests
// on the invariants below; the code that relies on one says so with "see
// doc.go, invariant N". Every operation named is a sync/atomic one, and Go's
// sync/atomic operations are sequentially consistent, except the release
// store that publishes a slot's ready flag (internal/atomicx), which orders
// nothing after it.
//
//  1. A producer's claim precedes its load of the run state. The CAS that
//     claims a slot of the user lane (or links a signal into the control
//     lane) is made before Notify loads the state, so a consumer whose read
//     of the lane comes after that load in the atomic order sees the claim,
//     even when the message's ready flag is not visible yet.
//  2. Notify changes the state only by CAS: from Idle to Scheduled, which
//     exactly one producer wins and that producer starts the turn; from
//     Running to Notified, which makes the turn's own CAS to Idle fail. A
//     producer that finds Scheduled or Notified leaves its message to a turn
//     that has yet to Begin, or to Begin again.
//  3. The end of a turn counts claims, not ready flags. Mailbox.EndTurn reads
//     the user lane's claims less its released slots before its CAS from
//     Running to Idle, and keeps the turn going while any is left. With 1,
//     a producer either has its claim counted, or makes it after that read
//     and then loads the state after it: it finds Idle and starts a turn, or
//     finds Running, moves it to Notified and the CAS fails. A pass that took
//     nothing, with nothing notified, is waiting for a writer: EndTurn
//     yields before the turn looks again.
//  4. One turn at a time. A turn exists from a Notify that returned true to
//     the EndTurn that returned false (or to Kill); only its consumer calls
//     Begin, Pop, Drain and EndTurn, and Begin panics on Idle, where no turn
//     is. The turn's Begin CAS follows the producer's work in the atomic
//     order, so what 1 published is there when it looks.
//  5. Close before Drain. Close sets the closed flag, then the closed bit in
//     the claim word; fill checks the flag after its claim, so a claim made
//     before the bit either fills its slot or marks it skipped and gives its
//     room back. Drain reads the released count before the claims and
//     returns only when they are equal, so it sees every claim made before
//     Close filled or given back, and no later claim can succeed.
//  6. A Backpressure producer registers as a waiter before it looks for room
//     once more, and the consumer gives a slot back before it reads the
//     count of waiters: either the producer sees the room, or the consumer
//     sees the waiter and wakes one. A waiter woken as its context ends
//     passes the wake-up on.
//
// # Concurrency
//
// Push, PushForce, Close, Len and Notify are safe for concurrent use. Pop,
// Drain, Begin and EndTurn belong to the single consumer that owns the turn.
package mailbox
