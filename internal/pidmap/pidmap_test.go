package pidmap_test

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/pidmap"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBasics(t *testing.T) {
	var m pidmap.Map[string]
	a, b := actor.NewPID(1, 1), actor.NewPID(1, 2)

	_, ok := m.Get(a)
	require.False(t, ok, "empty map")
	_, ok = m.Delete(a)
	require.False(t, ok, "delete from empty map")

	m.Put(a, "a")
	m.Put(b, "b")
	m.Put(a, "a2") // replaces
	require.Equal(t, 2, m.Len())
	v, ok := m.Get(a)
	require.True(t, ok)
	require.Equal(t, "a2", v)
	require.True(t, m.Has(b))

	v, ok = m.Delete(a)
	require.True(t, ok)
	require.Equal(t, "a2", v)
	require.False(t, m.Has(a))
	require.Equal(t, 1, m.Len())

	// The zero PID is a key like any other.
	m.Put(actor.PID{}, "zero")
	v, ok = m.Get(actor.PID{})
	require.True(t, ok)
	require.Equal(t, "zero", v)
	require.Equal(t, 2, m.Len())
	got := maps.Collect(m.All())
	require.Equal(t, map[actor.PID]string{b: "b", {}: "zero"}, got)
	v, ok = m.Delete(actor.PID{})
	require.True(t, ok)
	require.Equal(t, "zero", v)
	require.False(t, m.Has(actor.PID{}))

	m.Clear()
	require.Zero(t, m.Len())
	require.False(t, m.Has(b))
	require.Zero(t, pidmap.Slots(&m), "Clear gives the table back")
}

func TestAllStopsEarly(t *testing.T) {
	var m pidmap.Map[int]
	for i := range 10 {
		m.Put(actor.NewPID(0, uint64(i)), i)
	}
	n := 0
	for range m.All() {
		if n++; n == 3 {
			break
		}
	}
	require.Equal(t, 3, n)
}

// replay replays ops, two bytes each (operation, key), on a Map and on
// a Go map and fails at the first difference. Keys come from a small range,
// in several systems and with a stride, so that runs collide, wrap around
// the table and are shifted back by deletions.
func replay(t *testing.T, ops []byte) {
	var m pidmap.Map[int]
	model := map[actor.PID]int{}
	key := func(b byte) actor.PID {
		switch b % 4 {
		case 0:
			return actor.NewPID(0, uint64(b))
		case 1:
			return actor.NewPID(uint16(b>>2), uint64(b))
		case 2:
			return actor.NewPID(0, uint64(b)<<10) // a power-of-two stride
		}
		return actor.PID{}
	}
	for i := 0; i+1 < len(ops); i += 2 {
		k := key(ops[i+1])
		switch ops[i] % 3 {
		case 0:
			m.Put(k, i)
			model[k] = i
		case 1:
			v, ok := m.Delete(k)
			mv, mok := model[k]
			delete(model, k)
			require.Equal(t, mok, ok, "op %d: delete %v", i, k)
			require.Equal(t, mv, v, "op %d: delete %v", i, k)
		case 2:
			v, ok := m.Get(k)
			mv, mok := model[k]
			require.Equal(t, mok, ok, "op %d: get %v", i, k)
			require.Equal(t, mv, v, "op %d: get %v", i, k)
		}
		require.Equal(t, len(model), m.Len(), "op %d", i)
	}
	require.Equal(t, model, maps.Collect(m.All()))
	for k, v := range model {
		got, ok := m.Get(k)
		require.True(t, ok, "%v lost", k)
		require.Equal(t, v, got)
	}
}

func TestAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		ops := make([]byte, 2*rng.IntN(2000))
		for i := range ops {
			ops[i] = byte(rng.Uint32())
		}
		replay(t, ops)
	}
}

func FuzzAgainstModel(f *testing.F) {
	f.Add([]byte{0, 1, 0, 5, 1, 1, 2, 5})
	seed := make([]byte, 0, 512)
	for i := range 128 {
		seed = binary.LittleEndian.AppendUint16(seed, uint16(i%3)|uint16(i*7)<<8)
	}
	f.Add(seed)
	f.Fuzz(replay)
}

// A supervisor keeps replacing one PID by the next one the runtime hands
// out: the table must neither grow nor get slower however long it runs.
func TestChurnKeepsItsSize(t *testing.T) {
	var m pidmap.Map[struct{}]
	const live = 1000
	for i := range live {
		m.Put(actor.NewPID(0, uint64(i+1)), struct{}{})
	}
	size := pidmap.Slots(&m)
	old, next := uint64(live/2), uint64(live+1)
	for range 1_000_000 {
		_, ok := m.Delete(actor.NewPID(0, old))
		require.True(t, ok)
		m.Put(actor.NewPID(0, next), struct{}{})
		old, next = next, next+1
	}
	require.Equal(t, live, m.Len())
	require.Equal(t, size, pidmap.Slots(&m), "churn grew the table")
	// A table half full has short runs; PIDs piling up in one place
	// would put the mean in the hundreds.
	mean, longest := pidmap.Probes(&m)
	require.Less(t, mean, 8.0)
	require.Less(t, longest, 256)
}

// PIDs spaced by a power of two must spread over the table instead of
// landing on one place and forming one long run.
func TestSpreadsStridedPIDs(t *testing.T) {
	for _, stride := range []uint64{1, 2, 16, 64, 1024, 1 << 20} {
		t.Run(fmt.Sprint(stride), func(t *testing.T) {
			var m pidmap.Map[struct{}]
			for i := range uint64(10_000) {
				m.Put(actor.NewPID(0, 1+i*stride), struct{}{})
			}
			mean, longest := pidmap.Probes(&m)
			require.Less(t, mean, 4.0, "mean distance from home")
			require.Less(t, longest, 256, "longest distance from home")
		})
	}
}

func BenchmarkChurn(b *testing.B) {
	for _, live := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("impl=pidmap/live=%d", live), func(b *testing.B) {
			var m pidmap.Map[struct{}]
			for i := range live {
				m.Put(actor.NewPID(0, uint64(i+1)), struct{}{})
			}
			old, next := uint64(live/2), uint64(live+1)
			for b.Loop() {
				m.Delete(actor.NewPID(0, old))
				m.Put(actor.NewPID(0, next), struct{}{})
				old, next = next, next+1
			}
		})
		b.Run(fmt.Sprintf("impl=map/live=%d", live), func(b *testing.B) {
			m := map[actor.PID]struct{}{}
			for i := range live {
				m[actor.NewPID(0, uint64(i+1))] = struct{}{}
			}
			old, next := uint64(live/2), uint64(live+1)
			for b.Loop() {
				delete(m, actor.NewPID(0, old))
				m[actor.NewPID(0, next)] = struct{}{}
				old, next = next, next+1
			}
		})
	}
}
