package mailbox_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/mailbox"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// bg is the context of pushes that set no deadline.
var bg = context.Background()

type msg struct {
	producer int
	seq      int
}

func newQueue(t testing.TB, capacity int, p mailbox.Policy) *mailbox.Queue[msg] {
	t.Helper()
	q := new(mailbox.Queue[msg])
	require.NoError(t, q.Init(capacity, p))
	return q
}

func TestInitRejectsBadInput(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		policy   mailbox.Policy
		want     error
	}{
		{"zero capacity", 0, mailbox.Backpressure, mailbox.ErrInvalidCapacity},
		{"negative capacity", -5, mailbox.DropNewest, mailbox.ErrInvalidCapacity},
		{"unknown policy", 8, mailbox.Policy(9), mailbox.ErrInvalidPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q mailbox.Queue[int]
			err := q.Init(tt.capacity, tt.policy)
			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestFIFOAcrossSegments(t *testing.T) {
	q := newQueue(t, 1000, mailbox.DropNewest)
	for i := range 1000 {
		_, _, err := q.Push(context.Background(), msg{seq: i})
		require.NoError(t, err)
	}
	_, _, err := q.Push(context.Background(), msg{seq: 1000})
	require.ErrorIs(t, err, mailbox.ErrFull)
	for i := range 1000 {
		v, ok := q.Pop()
		require.True(t, ok)
		require.Equal(t, i, v.seq)
	}
	_, ok := q.Pop()
	require.False(t, ok)
	require.Equal(t, 0, q.Len())
}

func TestFullQueueUnderEachPolicy(t *testing.T) {
	t.Run("drop newest refuses and keeps the queue", func(t *testing.T) {
		q := newQueue(t, 2, mailbox.DropNewest)
		for i := range 2 {
			_, _, err := q.Push(bg, msg{seq: i})
			require.NoError(t, err)
		}
		_, dropped, err := q.Push(bg, msg{seq: 2})
		require.ErrorIs(t, err, mailbox.ErrFull)
		require.False(t, dropped)
		require.Equal(t, []int{0, 1}, popAll(q))
	})
	t.Run("drop oldest hands back the oldest", func(t *testing.T) {
		q := newQueue(t, 2, mailbox.DropOldest)
		for i := range 2 {
			_, _, err := q.Push(bg, msg{seq: i})
			require.NoError(t, err)
		}
		old, dropped, err := q.Push(bg, msg{seq: 2})
		require.NoError(t, err)
		require.True(t, dropped)
		require.Equal(t, 0, old.seq)
		require.Equal(t, []int{1, 2}, popAll(q))
	})
	t.Run("backpressure waits for room", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := newQueue(t, 1, mailbox.Backpressure)
			_, _, err := q.Push(bg, msg{seq: 0})
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() {
				_, _, err := q.Push(context.Background(), msg{seq: 1})
				done <- err
			}()
			// The waiter cannot finish before room is made.
			synctest.Wait()
			require.Equal(t, 1, mailbox.Waiters(q), "the sender is asleep")
			v, ok := q.Pop()
			require.True(t, ok)
			require.Equal(t, 0, v.seq)
			require.NoError(t, <-done)
			require.Equal(t, []int{1}, popAll(q))
		})
	})
	t.Run("backpressure sender released by its context", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := newQueue(t, 1, mailbox.Backpressure)
			_, _, err := q.Push(bg, msg{seq: 0})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, _, err := q.Push(ctx, msg{seq: 1})
				done <- err
			}()
			synctest.Wait()
			require.Equal(t, 1, mailbox.Waiters(q), "the sender is asleep")
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
			require.Equal(t, []int{0}, popAll(q))
		})
	})
	t.Run("backpressure sender released by close", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			q := newQueue(t, 1, mailbox.Backpressure)
			_, _, err := q.Push(bg, msg{seq: 0})
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() {
				_, _, err := q.Push(context.Background(), msg{seq: 1})
				done <- err
			}()
			synctest.Wait()
			require.Equal(t, 1, mailbox.Waiters(q), "the sender is asleep")
			q.Close()
			require.ErrorIs(t, <-done, mailbox.ErrClosed)
			var got []int
			q.Drain(func(m msg) { got = append(got, m.seq) })
			require.Equal(t, []int{0}, got)
		})
	})
	t.Run("drop oldest never evicts pinned messages", func(t *testing.T) {
		q := newQueue(t, 2, mailbox.DropOldest)
		q.Pin(func(m msg) bool { return m.producer == 1 })
		require.NoError(t, q.PushForce(msg{producer: 1, seq: 0}))
		_, _, err := q.Push(bg, msg{seq: 1})
		require.NoError(t, err)
		old, dropped, err := q.Push(bg, msg{seq: 2})
		require.NoError(t, err)
		require.True(t, dropped)
		require.Equal(t, 1, old.seq, "the oldest unpinned message goes")
		require.NoError(t, q.PushForce(msg{producer: 1, seq: 3}))
		require.Equal(t, []int{0, 2, 3}, popAll(q), "pinned ones keep their place")
		require.NoError(t, q.PushForce(msg{producer: 1, seq: 4}))
		require.NoError(t, q.PushForce(msg{producer: 1, seq: 5}))
		_, dropped, err = q.Push(bg, msg{seq: 6})
		require.NoError(t, err, "nothing evictable: queued past the bound")
		require.False(t, dropped)
		require.Equal(t, []int{4, 5, 6}, popAll(q))
	})
	t.Run("force ignores the bound", func(t *testing.T) {
		q := newQueue(t, 1, mailbox.DropNewest)
		_, _, err := q.Push(bg, msg{seq: 0})
		require.NoError(t, err)
		require.NoError(t, q.PushForce(msg{seq: 1}))
		require.ErrorIs(t, q.TryPush(msg{seq: 2}), mailbox.ErrFull)
		require.Equal(t, []int{0, 1}, popAll(q))
	})
}

func popAll(q *mailbox.Queue[msg]) []int {
	var out []int
	for {
		v, ok := q.Pop()
		if !ok {
			return out
		}
		out = append(out, v.seq)
	}
}

func TestClosedQueueRefusesAndDrains(t *testing.T) {
	for _, p := range []mailbox.Policy{mailbox.Backpressure, mailbox.DropNewest, mailbox.DropOldest} {
		t.Run(p.String(), func(t *testing.T) {
			q := newQueue(t, 4, p)
			_, _, err := q.Push(bg, msg{seq: 0})
			require.NoError(t, err)
			q.Close()
			q.Close() // idempotent
			_, _, err = q.Push(bg, msg{seq: 1})
			require.ErrorIs(t, err, mailbox.ErrClosed)
			require.ErrorIs(t, q.PushForce(msg{seq: 2}), mailbox.ErrClosed)
			var got []int
			n := q.Drain(func(m msg) { got = append(got, m.seq) })
			require.Equal(t, 1, n)
			require.Equal(t, []int{0}, got)
		})
	}
}

// Producers race with Close: every message is either refused with
// ErrClosed or drained; none is lost, none is seen twice.
func TestCloseRacingProducersLosesNothing(t *testing.T) {
	const producers, per = 4, 5000
	q := newQueue(t, 64, mailbox.DropNewest)
	var accepted [producers][]int
	var wg sync.WaitGroup
	start := make(chan struct{})
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range per {
				_, _, err := q.Push(bg, msg{producer: p, seq: i})
				switch {
				case err == nil:
					accepted[p] = append(accepted[p], i)
				case errors.Is(err, mailbox.ErrClosed):
					return
				case errors.Is(err, mailbox.ErrFull):
				default:
					panic(err)
				}
			}
		}()
	}
	var got [producers][]int
	close(start)
	for range 2000 {
		if v, ok := q.Pop(); ok {
			got[v.producer] = append(got[v.producer], v.seq)
		}
	}
	q.Close()
	q.Drain(func(v msg) { got[v.producer] = append(got[v.producer], v.seq) })
	wg.Wait()
	for p := range producers {
		require.Equal(t, accepted[p], got[p], "producer %d", p)
	}
}

// 8 producers × 100,000 messages into one consumer: every message exactly
// once, each producer's order kept, the bound never exceeded.
func TestManyProducersOneConsumer(t *testing.T) {
	const producers = 8
	per := 100_000
	if testing.Short() {
		per = 10_000
	}
	q := newQueue(t, 256, mailbox.Backpressure)
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				if _, _, err := q.Push(context.Background(), msg{producer: p, seq: i}); err != nil {
					panic(err)
				}
			}
		}()
	}
	next := make([]int, producers)
	for n := 0; n < producers*per; {
		if l := q.Len(); l > 256 {
			t.Fatalf("len %d exceeds capacity 256", l)
		}
		v, ok := q.Pop()
		if !ok {
			runtime.Gosched() // on one processor the producers run only when this yields
			continue
		}
		if v.seq != next[v.producer] {
			t.Fatalf("producer %d: got seq %d, want %d", v.producer, v.seq, next[v.producer])
		}
		next[v.producer]++
		n++
	}
	wg.Wait()
	_, ok := q.Pop()
	require.False(t, ok)
}

func TestDropOldestUnderContentionKeepsTheBound(t *testing.T) {
	const producers, per, capacity = 4, 20_000, 16
	q := newQueue(t, capacity, mailbox.DropOldest)
	var wg sync.WaitGroup
	var mu sync.Mutex
	dropped := make(map[msg]bool)
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				old, did, err := q.Push(bg, msg{producer: p, seq: i})
				if err != nil {
					panic(err)
				}
				if did {
					mu.Lock()
					dropped[old] = true
					mu.Unlock()
				}
			}
		}()
	}
	received := make(map[msg]bool)
	stop := make(chan struct{})
	go func() { wg.Wait(); close(stop) }()
	for running := true; running; {
		select {
		case <-stop:
			running = false
		default:
		}
		if l := q.Len(); l > capacity {
			t.Errorf("len %d exceeds capacity %d", l, capacity)
		}
		for {
			v, ok := q.Pop()
			if !ok {
				break
			}
			require.False(t, received[v], "duplicate %v", v)
			received[v] = true
		}
	}
	for v := range dropped {
		require.False(t, received[v], "%v both dropped and received", v)
	}
	require.Equal(t, producers*per, len(received)+len(dropped), "every message received or dropped")
}

func TestControlLaneOrderAndBatches(t *testing.T) {
	var c mailbox.Control[int]
	require.True(t, c.Empty())
	for i := range 5 {
		c.Push(i)
	}
	require.False(t, c.Empty())
	b := c.Take()
	c.Push(5)
	var got []int
	for v, ok := b.Next(); ok; v, ok = b.Next() {
		got = append(got, v)
	}
	b = c.Take()
	for v, ok := b.Next(); ok; v, ok = b.Next() {
		got = append(got, v)
	}
	require.Equal(t, []int{0, 1, 2, 3, 4, 5}, got)
	require.True(t, c.Empty())
}

// The run state never loses a wake-up: producers push and notify, the
// consumer turn releases when it finds nothing; every message is consumed by
// some turn and at most one turn runs at a time.
func TestRunStateNoLostWakeup(t *testing.T) {
	var mb mailbox.Mailbox[int, int]
	require.NoError(t, mb.Init(1<<20, mailbox.DropNewest))
	const producers, per = 4, 20_000
	var (
		consumed = make(chan int, producers*per)
		turns    sync.WaitGroup
		active   int32
		mu       sync.Mutex
	)
	var turn func()
	turn = func() {
		defer turns.Done()
		mu.Lock()
		active++
		if active > 1 {
			panic("two turns at once")
		}
		mu.Unlock()
		for {
			mb.State.Begin()
			took := false
			for {
				v, ok := mb.User.Pop()
				if !ok {
					break
				}
				consumed <- v
				took = true
			}
			mu.Lock()
			if !mb.EndTurn(took) {
				active--
				mu.Unlock()
				return
			}
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				if _, _, err := mb.User.Push(bg, p*per+i); err != nil {
					panic(err)
				}
				if mb.State.Notify() {
					turns.Add(1)
					go turn()
				}
			}
		}()
	}
	wg.Wait()
	seen := make(map[int]bool, producers*per)
	for range producers * per {
		select {
		case v := <-consumed:
			require.False(t, seen[v])
			seen[v] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("lost wake-up: %d of %d consumed", len(seen), producers*per)
		}
	}
	turns.Wait()
	require.Equal(t, mailbox.Idle, mb.State.Load())
}

// A producer can see the turn running, and leave its message to it, before
// the message is visible to Pop (its flag is published with a store that
// is not ordered before its Notify). Release must then keep the turn going
// until the message is taken; ending it would leave the message in an idle
// mailbox that no push is left to wake.
func TestReleaseWaitsForAMessageBeingWritten(t *testing.T) {
	var mb mailbox.Mailbox[int, int]
	require.NoError(t, mb.Init(8, mailbox.Backpressure))
	require.True(t, mb.State.Notify(), "idle: the first push starts the turn")
	require.True(t, mb.State.Begin())
	_, _, err := mb.User.Push(bg, 1)
	require.NoError(t, err)
	require.False(t, mb.State.Notify(), "running: the turn is told to look again")

	fill := mailbox.ClaimOnly(&mb.User, 2)
	require.False(t, mb.State.Notify(), "notified already: the producer leaves message 2 to the turn")

	v, ok := mb.User.Pop()
	require.True(t, ok)
	require.Equal(t, 1, v)
	_, ok = mb.User.Pop()
	require.False(t, ok, "message 2 is not visible yet")
	require.Equal(t, mailbox.Notified, mb.State.Load())
	require.True(t, mb.EndTurn(true), "notified, and message 2 claimed: look again")
	require.True(t, mb.State.Begin())
	_, ok = mb.User.Pop()
	require.False(t, ok)
	require.True(t, mb.EndTurn(false), "message 2 is claimed: ending the turn would strand it")

	fill()
	v, ok = mb.User.Pop()
	require.True(t, ok)
	require.Equal(t, 2, v)
	require.False(t, mb.EndTurn(true), "nothing left: the turn ends")
	require.Equal(t, mailbox.Idle, mb.State.Load())
}

func TestIdleMailboxIsSmallWhateverItsCapacity(t *testing.T) {
	type envelope struct {
		msg    any
		sender uint64
		req    *int
	}
	size := unsafe.Sizeof(mailbox.Mailbox[envelope, any]{})
	require.Less(t, int(size), 128, "idle mailbox costs %d bytes", size)
	for _, c := range []int{1, 1 << 10, 1 << 20} {
		var q mailbox.Queue[envelope]
		require.NoError(t, q.Init(c, mailbox.Backpressure))
		require.Equal(t, 0, mailbox.Segments(&q), "capacity %d allocates nothing up front", c)
	}
}

// A queue in steady use reuses the segments its consumer has passed: pushing
// and popping many segments' worth of messages allocates nothing.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	q := newQueue(t, 256, mailbox.Backpressure)
	cycle := func() {
		for i := range 100 {
			if _, _, err := q.Push(bg, msg{seq: i}); err != nil {
				panic(err)
			}
		}
		for range 100 {
			if _, ok := q.Pop(); !ok {
				panic("queue ran dry early")
			}
		}
	}
	cycle() // the first segments are allocated here
	allocs := testing.AllocsPerRun(200, cycle)
	require.Zero(t, allocs, "allocations per 100 messages in steady state")
}

// A closed queue gives its segments back once drained: a process that dies
// leaves them to the next mailbox of the same type instead of to the garbage
// collector. Pushes after Close fail without touching them.
func TestDrainRecyclesSegments(t *testing.T) {
	q := newQueue(t, 256, mailbox.Backpressure)
	for i := range 100 {
		_, _, err := q.Push(bg, msg{seq: i})
		require.NoError(t, err)
	}
	require.Equal(t, 4, mailbox.Segments(q))
	q.Close()
	require.Equal(t, 100, q.Drain(nil))
	require.Equal(t, 0, mailbox.Segments(q), "segments kept after Drain")
	_, _, err := q.Push(bg, msg{})
	require.ErrorIs(t, err, mailbox.ErrClosed)
	require.ErrorIs(t, q.PushForce(msg{}), mailbox.ErrClosed)
	require.Equal(t, 0, q.Len())

	// A mailbox's life, from Init to Drain, costs no more allocations with
	// 40 messages (two segments) than with none: the segments come from
	// the mailboxes that died before.
	life := func(n int) func() {
		return func() {
			var q mailbox.Queue[msg]
			if err := q.Init(64, mailbox.Backpressure); err != nil {
				panic(err)
			}
			for i := range n {
				if _, _, err := q.Push(bg, msg{seq: i}); err != nil {
					panic(err)
				}
			}
			q.Close()
			q.Drain(nil)
		}
	}
	life(40)()
	empty := testing.AllocsPerRun(100, life(0))
	require.Equal(t, empty, testing.AllocsPerRun(100, life(40)))
}

func TestUpdateRewritesQueuedMessagesInPlace(t *testing.T) {
	for _, p := range []mailbox.Policy{mailbox.Backpressure, mailbox.DropOldest} {
		t.Run(p.String(), func(t *testing.T) {
			q := newQueue(t, 40, p)
			q.Pin(func(m msg) bool { return m.producer == 1 })
			require.NoError(t, q.PushForce(msg{producer: 1, seq: 0})) // pinned
			// 40 fills it: Backpressure would wait for more.
			n := 40
			if p == mailbox.DropOldest {
				n = 70 // 30 evictions, which set the pinned one aside
			}
			for i := 1; i < n; i++ {
				_, _, err := q.Push(bg, msg{seq: i})
				require.NoError(t, err)
			}
			_, ok := q.Pop() // the head moves into the first segment
			require.True(t, ok)
			queued := q.Len()
			require.Equal(t, 39, queued)
			var seen []int
			q.Update(func(m *msg) {
				seen = append(seen, m.seq)
				m.seq = -m.seq
			})
			var got []int
			for {
				m, ok := q.Pop()
				if !ok {
					break
				}
				got = append(got, m.seq)
			}
			require.Len(t, seen, queued)
			require.Len(t, got, queued)
			for i := range seen {
				require.Equal(t, -seen[i], got[i], "message %d", i)
			}
		})
	}
}

// A nil ctx is refused before anything happens: nothing is queued, nothing
// evicted, no Backpressure producer waits, whatever the policy and however
// full the queue.
func TestPushRefusesNilContext(t *testing.T) {
	for _, p := range []mailbox.Policy{mailbox.Backpressure, mailbox.DropNewest, mailbox.DropOldest} {
		for _, full := range []bool{false, true} {
			name := p.String() + "/empty"
			if full {
				name = p.String() + "/full"
			}
			t.Run(name, func(t *testing.T) {
				q := newQueue(t, 2, p)
				var want []int
				if full {
					for i := range 2 {
						_, _, err := q.Push(bg, msg{seq: i})
						require.NoError(t, err)
						want = append(want, i)
					}
				}
				var nilCtx context.Context
				_, dropped, err := q.Push(nilCtx, msg{seq: 9})
				require.ErrorIs(t, err, mailbox.ErrNilContext)
				require.False(t, dropped, "nothing evicted")
				require.Contains(t, err.Error(), "context.Background()", "the message says what to do")
				require.Equal(t, want, popAll(q), "nothing queued, nothing lost")
			})
		}
	}
}

// EndTurn ends the turn only when nothing is queued or being written and
// nothing was notified since Begin; otherwise the consumer looks again.
func TestEndTurnResults(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(mb *mailbox.Mailbox[int, int]) (fill func())
		took      bool
		wantMore  bool
		wantState mailbox.State
	}{
		{name: "nothing left: idle", took: true, wantMore: false, wantState: mailbox.Idle},
		{name: "nothing taken, nothing left: idle", took: false, wantMore: false, wantState: mailbox.Idle},
		{name: "notified since Begin: look again", took: true, wantMore: true, wantState: mailbox.Notified,
			setup: func(mb *mailbox.Mailbox[int, int]) func() {
				mb.State.Notify()
				return nil
			}},
		{name: "a message ready, its Notify not yet made: look again", took: true, wantMore: true, wantState: mailbox.Running,
			setup: func(mb *mailbox.Mailbox[int, int]) func() {
				_, _, err := mb.User.Push(bg, 1)
				require.NoError(t, err)
				return nil
			}},
		{name: "a message being written: look again", took: false, wantMore: true, wantState: mailbox.Running,
			setup: func(mb *mailbox.Mailbox[int, int]) func() { return mailbox.ClaimOnly(&mb.User, 1) }},
		{name: "a signal queued and notified: look again", took: false, wantMore: true, wantState: mailbox.Notified,
			setup: func(mb *mailbox.Mailbox[int, int]) func() {
				mb.Control.Push(1)
				mb.State.Notify()
				return nil
			}},
		{name: "dead: look again, and Begin says stop", took: true, wantMore: true, wantState: mailbox.Dead,
			setup: func(mb *mailbox.Mailbox[int, int]) func() {
				mb.State.Kill()
				return nil
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mb mailbox.Mailbox[int, int]
			require.NoError(t, mb.Init(4, mailbox.Backpressure))
			require.True(t, mb.State.Notify())
			require.True(t, mb.State.Begin())
			var fill func()
			if tt.setup != nil {
				fill = tt.setup(&mb)
			}
			require.Equal(t, tt.wantMore, mb.EndTurn(tt.took), "more")
			require.Equal(t, tt.wantState, mb.State.Load(), "state after EndTurn")
			if fill != nil {
				fill()
			}
			if tt.wantState == mailbox.Dead {
				require.False(t, mb.State.Begin())
			}
		})
	}
}

// Begin refuses the state no turn can be in: Idle (no turn was started, or
// it has ended).
func TestBeginPanicsOutsideATurn(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		var r mailbox.RunState
		require.PanicsWithValue(t,
			"mailbox: RunState.Begin in state idle: a consumer may begin only a turn that Notify started and EndTurn has not ended",
			func() { r.Begin() })
		require.Equal(t, mailbox.Idle, r.Load(), "the state is left as it was")
	})
	t.Run("after the turn ended", func(t *testing.T) {
		var mb mailbox.Mailbox[int, int]
		require.NoError(t, mb.Init(1, mailbox.DropNewest))
		require.True(t, mb.State.Notify())
		require.True(t, mb.State.Begin())
		require.False(t, mb.EndTurn(false))
		require.Panics(t, func() { mb.State.Begin() })
	})
	t.Run("every state a turn can be in", func(t *testing.T) {
		var r mailbox.RunState
		require.True(t, r.Notify()) // scheduled
		require.True(t, r.Begin(), "from scheduled")
		require.True(t, r.Begin(), "from running")
		require.False(t, r.Notify()) // notified
		require.True(t, r.Begin(), "from notified")
		r.Kill()
		require.False(t, r.Begin(), "from dead")
	})
}
