package atomicx_test

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/airssys/rt/internal/atomicx"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStoreReleaseStores(t *testing.T) {
	for _, v := range []uint32{1, 0, 0xffffffff, 42} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			x := ^v
			atomicx.StoreRelease(&x, v)
			if got := atomic.LoadUint32(&x); got != v {
				t.Fatalf("after StoreRelease(%d), load gives %d", v, got)
			}
		})
	}
}

// A writer fills a record of several words and publishes it with
// StoreRelease; a reader that sees the flag must see every word. Records
// are reused round after round, so a reader that saw the flag before the
// words would find the previous round's values. amd64 never makes a store
// visible before an earlier one, so there this checks the compiler and the
// assembly; on weakly ordered machines it checks the ordering itself.
func TestStoreReleasePublishes(t *testing.T) {
	type record struct {
		a, b, c uint64
		p       *uint64
		flag    uint32
	}
	const rounds = 200_000
	recs := make([]record, 64)
	ack := make([]uint32, len(recs)) // the round the reader last consumed, per record
	done := make(chan error, 1)
	go func() {
		for r := 1; r <= rounds; r++ {
			rec := &recs[r%len(recs)]
			for atomic.LoadUint32(&rec.flag) != uint32(r) {
				runtime.Gosched()
			}
			if rec.a != uint64(r) || rec.b != uint64(r)*3 || rec.c != uint64(r)*7 || *rec.p != uint64(r) {
				done <- fmt.Errorf("round %d: read a=%d b=%d c=%d *p=%d", r, rec.a, rec.b, rec.c, *rec.p)
				return
			}
			atomic.StoreUint32(&ack[r%len(recs)], uint32(r))
		}
		done <- nil
	}()
	for r := 1; r <= rounds; r++ {
		i := r % len(recs)
		if r > len(recs) {
			// Wait until the reader has consumed this record's last round.
			for atomic.LoadUint32(&ack[i]) != uint32(r-len(recs)) {
				runtime.Gosched()
			}
		}
		rec := &recs[i]
		v := uint64(r)
		rec.a, rec.b, rec.c, rec.p = v, v*3, v*7, &v
		atomicx.StoreRelease(&rec.flag, uint32(r))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStore compares the sequentially consistent store of sync/atomic
// with StoreRelease, each publishing one word.
func BenchmarkStore(b *testing.B) {
	var x uint32
	b.Run("sync/atomic", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			atomic.StoreUint32(&x, uint32(i))
		}
	})
	b.Run("StoreRelease", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			atomicx.StoreRelease(&x, uint32(i))
		}
	})
}

func TestStoreRelease64Stores(t *testing.T) {
	for _, v := range []uint64{1, 0, 1<<64 - 1, 1 << 40} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			x := ^v
			atomicx.StoreRelease64(&x, v)
			if got := atomic.LoadUint64(&x); got != v {
				t.Fatalf("after StoreRelease64(%d), load gives %d", v, got)
			}
		})
	}
}
