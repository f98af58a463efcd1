package pidmap

import (
	"iter"

	"github.com/airssys/rt/actor"
)

// Place maps a PID's bits (see Bits) to a position in a table of PIDs. The runtime
// hands PIDs out in sequence and a restart replaces an old PID by a new one,
// so the PIDs a table meets next are the ones just after those it met last.
// Place keeps runs of 1<<shift consecutive PIDs in consecutive positions,
// so that inserting a new PID touches memory an earlier one has just
// touched, and scatters the runs with a mix of the remaining bits, so that
// PIDs spaced by a power of two (a pool keeping every Nth worker) do not
// pile up in one position.
func Place(k uint64, shift uint) uint64 {
	b := k >> shift
	b ^= b >> 33
	b *= 0xff51afd7ed558ccd
	b ^= b >> 33
	return k ^ b<<shift
}

// shift sets Map's runs to 4 PIDs: half a cache line of keys. Longer runs
// make linear probing's clusters longer (see TestSpreadsStridedPIDs).
const shift = 2

func home(k uint64) uint64 { return Place(k, shift) }

// Map is a map from PIDs to values of type V, for one goroutine: the
// runtime's link sets and the supervisor's index of running children use
// it. It differs from a Go map in where it puts its entries: PIDs the
// runtime handed out one after another sit side by side (see Place), so a
// table of 100,000 PIDs whose owner keeps replacing one of them by a new one
// (a supervisor restarting a child) reads and writes a few warm cache lines
// instead of a random line of the table each time. It is an open-addressing
// table with linear probing, kept at most half full; deletion
// moves later entries back, so it leaves no tombstones and a table with
// constant churn never slows down.
//
// Every PID is a valid key, the zero PID included. The table grows as
// entries are added and never shrinks on Delete; Clear gives its memory
// back.
//
// The zero value is an empty map ready to use. A Map must not be copied
// after first use, and it is not safe for concurrent use.
type Map[V any] struct {
	slots []pidSlot[V]
	n     int
	// zero holds the value of the zero PID, which marks empty slots.
	zero    V
	hasZero bool
}

type pidSlot[V any] struct {
	k uint64 // PID bits; 0 means empty
	v V
}

// minPIDSlots is the size of a table's first allocation.
const minPIDSlots = 4

// Len returns the number of entries.
func (m *Map[V]) Len() int {
	if m.hasZero {
		return m.n + 1
	}
	return m.n
}

// Get returns the value stored for pid and whether there is one.
func (m *Map[V]) Get(pid actor.PID) (v V, ok bool) {
	k := Bits(pid)
	if k == 0 {
		return m.zero, m.hasZero
	}
	if m.n == 0 {
		return v, false
	}
	mask := uint64(len(m.slots) - 1)
	for i := home(k) & mask; ; i = (i + 1) & mask {
		switch m.slots[i].k {
		case k:
			return m.slots[i].v, true
		case 0:
			return v, false
		}
	}
}

// Has reports whether pid has an entry.
func (m *Map[V]) Has(pid actor.PID) bool {
	_, ok := m.Get(pid)
	return ok
}

// Put stores v for pid, replacing any value stored before.
func (m *Map[V]) Put(pid actor.PID, v V) {
	k := Bits(pid)
	if k == 0 {
		m.zero, m.hasZero = v, true
		return
	}
	if (m.n+1)*2 > len(m.slots) {
		m.grow()
	}
	mask := uint64(len(m.slots) - 1)
	for i := home(k) & mask; ; i = (i + 1) & mask {
		switch m.slots[i].k {
		case k:
			m.slots[i].v = v
			return
		case 0:
			m.slots[i] = pidSlot[V]{k: k, v: v}
			m.n++
			return
		}
	}
}

// Delete removes pid's entry and returns its value; ok is false if there
// was none.
func (m *Map[V]) Delete(pid actor.PID) (v V, ok bool) {
	k := Bits(pid)
	if k == 0 {
		v, ok = m.zero, m.hasZero
		var zero V
		m.zero, m.hasZero = zero, false
		return v, ok
	}
	if m.n == 0 {
		return v, false
	}
	mask := uint64(len(m.slots) - 1)
	i := home(k) & mask
	for m.slots[i].k != k {
		if m.slots[i].k == 0 {
			return v, false
		}
		i = (i + 1) & mask
	}
	v = m.slots[i].v
	m.n--
	// Backward-shift deletion: move each later entry of the run whose
	// home is not between the hole and itself into the hole, so that
	// every entry stays reachable from its home without tombstones.
	for j := (i + 1) & mask; m.slots[j].k != 0; j = (j + 1) & mask {
		h := home(m.slots[j].k) & mask
		if (j-h)&mask >= (j-i)&mask {
			m.slots[i] = m.slots[j]
			i = j
		}
	}
	m.slots[i] = pidSlot[V]{}
	return v, true
}

// All returns an iterator over the entries, in no particular order. The
// map must not be changed while the iteration runs: a Put or Delete meanwhile
// may make it skip entries or yield one twice.
func (m *Map[V]) All() iter.Seq2[actor.PID, V] {
	return func(yield func(actor.PID, V) bool) {
		if m.hasZero && !yield(actor.PID{}, m.zero) {
			return
		}
		for _, s := range m.slots {
			if s.k != 0 && !yield(pidFromBits(s.k), s.v) {
				return
			}
		}
	}
}

// Clear removes every entry and gives the table's memory back.
func (m *Map[V]) Clear() { *m = Map[V]{} }

func (m *Map[V]) grow() {
	old := m.slots
	m.slots = make([]pidSlot[V], max(2*len(old), minPIDSlots))
	mask := uint64(len(m.slots) - 1)
	for _, s := range old {
		if s.k == 0 {
			continue
		}
		i := home(s.k) & mask
		for m.slots[i].k != 0 {
			i = (i + 1) & mask
		}
		m.slots[i] = s
	}
}

// Bits returns the 64 bits of a PID, system number above process number.
func Bits(p actor.PID) uint64 { return uint64(p.System())<<48 | p.ID() }

func pidFromBits(k uint64) actor.PID { return actor.NewPID(uint16(k>>48), k) }
