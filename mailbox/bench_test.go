package mailbox_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/airssys/rt/mailbox"
)

// BenchmarkDropOldestFull pushes into a full DropOldest queue from several
// producers (four per processor) while one consumer pops: every push evicts,
// so producers and the consumer meet on the queue's lock all the time. It is
// the measurement behind the choice of that lock (see dropoldest.go).
func BenchmarkDropOldestFull(b *testing.B) {
	const capacity = 64
	var q mailbox.Queue[int]
	if err := q.Init(capacity, mailbox.DropOldest); err != nil {
		b.Fatal(err)
	}
	for i := range capacity {
		if err := q.TryPush(i); err != nil {
			b.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var consumer sync.WaitGroup
	consumer.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, ok := q.Pop(); !ok {
				runtime.Gosched()
			}
		}
	})
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	ctx := b.Context()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := q.Push(ctx, 1); err != nil {
				panic(err)
			}
		}
	})
	b.StopTimer()
	close(stop)
	consumer.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
