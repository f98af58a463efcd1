package mailbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/airssys/rt/mailbox"
)

// FuzzQueueAgainstModel drives a queue with a sequence of operations decoded
// from the input and checks every result against a plain slice: FIFO, no
// loss, no duplicate, the bound held. The seed corpus runs in `make test`.
func FuzzQueueAgainstModel(f *testing.F) {
	f.Add(uint8(3), uint8(0), []byte{0, 0, 0, 0, 1, 0, 1, 1, 1})
	f.Add(uint8(1), uint8(1), []byte{0, 0, 2, 1, 0, 1, 1})
	f.Add(uint8(2), uint8(2), []byte{0, 0, 0, 0, 1, 2, 0, 3, 0})
	f.Add(uint8(40), uint8(1), make([]byte, 200))
	f.Add(uint8(7), uint8(2), []byte{2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 3, 1})
	f.Fuzz(func(t *testing.T, capacity uint8, policy uint8, ops []byte) {
		c := int(capacity%64) + 1
		p := mailbox.Policy(policy % 3)
		var q mailbox.Queue[int]
		if err := q.Init(c, p); err != nil {
			t.Fatal(err)
		}
		var model []int
		closed := false
		next := 0
		for _, op := range ops {
			switch op % 4 {
			case 0: // push
				v := next
				next++
				var err error
				var old int
				var dropped bool
				if p == mailbox.Backpressure {
					// One goroutine cannot wait for itself: TryPush
					// has Backpressure's answer when the queue is full.
					err = q.TryPush(v)
				} else {
					old, dropped, err = q.Push(context.Background(), v)
				}
				switch {
				case closed:
					if !errors.Is(err, mailbox.ErrClosed) {
						t.Fatalf("push after close: %v", err)
					}
				case len(model) < c:
					if err != nil || dropped {
						t.Fatalf("push with room: err %v dropped %v", err, dropped)
					}
					model = append(model, v)
				case p == mailbox.DropOldest:
					if err != nil || !dropped || old != model[0] {
						t.Fatalf("drop oldest: err %v dropped %v old %d want %d", err, dropped, old, model[0])
					}
					model = append(model[1:], v)
				default:
					if !errors.Is(err, mailbox.ErrFull) {
						t.Fatalf("push when full: %v", err)
					}
				}
			case 1: // pop
				v, ok := q.Pop()
				if len(model) == 0 {
					if ok {
						t.Fatalf("pop from empty gave %d", v)
					}
					continue
				}
				if !ok || v != model[0] {
					t.Fatalf("pop: got %d,%v want %d", v, ok, model[0])
				}
				model = model[1:]
			case 2: // forced push
				v := next
				next++
				err := q.PushForce(v)
				if closed {
					if !errors.Is(err, mailbox.ErrClosed) {
						t.Fatalf("force after close: %v", err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				model = append(model, v)
			case 3: // close and drain
				q.Close()
				closed = true
				var got []int
				q.Drain(func(v int) { got = append(got, v) })
				if len(got) != len(model) {
					t.Fatalf("drain: got %v want %v", got, model)
				}
				for i := range got {
					if got[i] != model[i] {
						t.Fatalf("drain: got %v want %v", got, model)
					}
				}
				model = nil
			}
			if q.Len() != len(model) {
				t.Fatalf("len %d, model %d", q.Len(), len(model))
			}
		}
	})
}
