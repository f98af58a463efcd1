package registry

import (
	"fmt"

	"sync/atomic"

	"github.com/puzpuzpuz/xsync/v3"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/pidmap"
)

// Process is what the table holds: a pointer to a value that knows its own
// PID (the runtime's processes; in tests, any small struct).
type Process[T any] interface {
	*T
	Self() actor.PID
}

type entry[P any] struct {
	v     P
	names []string
}

// Registry maps live PIDs to their processes (P, a pointer to T) and names
// to PIDs, with a send cache in front of the PID table. The zero value is
// not usable; call New.
type Registry[T any, P Process[T]] struct {
	pids  *xsync.MapOf[actor.PID, entry[P]]
	names *xsync.MapOf[string, actor.PID]

	_ [64]byte
	// cache is written on lookups that miss it: kept off the cache lines
	// of the read-mostly fields above (see LookupCached).
	cache [cacheSize]atomic.Pointer[T]
}

// registryShift sets the registry's runs of neighbouring PIDs to 16: xsync
// chains a full bucket instead of probing the next one, so longer runs cost
// nothing.
const registryShift = 4

// hashPID is the table's hash of a PID. xsync takes a bucket from the bits
// above the lowest seven and a tag to tell a bucket's entries apart from
// those seven, so the bucket is the PID's place (see pidmap.Place: PIDs
// spawned one after another share neighbouring buckets, and spawning or
// restarting among 100,000 live processes touches warm memory) and the tag
// a mix of all its bits.
func hashPID(p actor.PID, seed uint64) uint64 {
	k := pidmap.Bits(p)
	x := k ^ seed
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return pidmap.Place(k, registryShift)<<7 | x&0x7f
}

// New returns an empty registry.
func New[T any, P Process[T]]() *Registry[T, P] {
	return &Registry[T, P]{
		pids:  xsync.NewMapOfWithHasher[actor.PID, entry[P]](hashPID),
		names: xsync.NewMapOf[string, actor.PID](),
	}
}

// Add puts v in the table under its PID, v.Self(). It fails with
// ErrDuplicatePID if that PID is already there: PIDs are never reused, so
// that is a bug in the caller, not a condition to handle.
func (r *Registry[T, P]) Add(v P) error {
	if _, loaded := r.pids.LoadOrStore(v.Self(), entry[P]{v: v}); loaded {
		return fmt.Errorf("%w: %v", ErrDuplicatePID, v.Self())
	}
	return nil
}

// Lookup returns the process stored for pid.
func (r *Registry[T, P]) Lookup(pid actor.PID) (P, bool) {
	e, ok := r.pids.Load(pid)
	return e.v, ok
}

// Remove takes pid out of the table and the send cache, and releases its
// names. It returns the process and the names released; ok is false if pid
// was not there. Once Remove has returned, neither Lookup nor LookupCached
// finds pid, and the registry holds no reference to its process.
func (r *Registry[T, P]) Remove(pid actor.PID) (v P, names []string, ok bool) {
	var old entry[P]
	r.pids.Compute(pid, func(e entry[P], loaded bool) (entry[P], bool) {
		old, ok = e, loaded
		return e, true // delete
	})
	if !ok {
		return v, nil, false
	}
	r.uncache(pid, old.v)
	for _, n := range old.names {
		r.names.Compute(n, func(p actor.PID, loaded bool) (actor.PID, bool) {
			return p, !loaded || p == pid
		})
	}
	return old.v, old.names, true
}

// Register registers name for pid. Errors: ErrEmptyName, ErrNameTaken (the
// error names the holder), ErrNoProcess if pid is not in the table.
// Registering a name pid already holds succeeds.
func (r *Registry[T, P]) Register(name string, pid actor.PID) error {
	if name == "" {
		return ErrEmptyName
	}
	holder, loaded := r.names.LoadOrStore(name, pid)
	if loaded {
		if holder == pid {
			return nil
		}
		return fmt.Errorf("%w: %q is held by %v", ErrNameTaken, name, holder)
	}
	// Record the name on the process's entry; if the process has left the
	// table meanwhile, take the name back.
	present := false
	r.pids.Compute(pid, func(e entry[P], loaded bool) (entry[P], bool) {
		if !loaded {
			return e, true
		}
		present = true
		e.names = append(append([]string(nil), e.names...), name)
		return e, false
	})
	if !present {
		r.names.Compute(name, func(p actor.PID, loaded bool) (actor.PID, bool) {
			return p, !loaded || p == pid
		})
		return fmt.Errorf("register %q: %w", name, ErrNoProcess)
	}
	return nil
}

// Unregister releases name. It fails with ErrNotRegistered if the name is
// not registered.
func (r *Registry[T, P]) Unregister(name string) error {
	pid, ok := r.names.LoadAndDelete(name)
	if !ok {
		return fmt.Errorf("unregister %q: %w", name, ErrNotRegistered)
	}
	r.pids.Compute(pid, func(e entry[P], loaded bool) (entry[P], bool) {
		if !loaded {
			return e, true
		}
		kept := make([]string, 0, len(e.names))
		for _, n := range e.names {
			if n != name {
				kept = append(kept, n)
			}
		}
		e.names = kept
		return e, false
	})
	return nil
}

// Whereis returns the PID registered under name.
func (r *Registry[T, P]) Whereis(name string) (actor.PID, bool) {
	return r.names.Load(name)
}

// Names returns the names registered for pid.
func (r *Registry[T, P]) Names(pid actor.PID) []string {
	e, _ := r.pids.Load(pid)
	return append([]string(nil), e.names...)
}

// Len returns the number of PIDs in the table.
func (r *Registry[T, P]) Len() int { return r.pids.Size() }

// Range calls f for every PID in the table until f returns false. It sees a
// consistent entry per PID but not a snapshot of the whole table.
func (r *Registry[T, P]) Range(f func(pid actor.PID, v P) bool) {
	r.pids.Range(func(pid actor.PID, e entry[P]) bool { return f(pid, e.v) })
}

// RangeNamed is Range with the names registered for each PID, which f must
// not modify or keep.
func (r *Registry[T, P]) RangeNamed(f func(pid actor.PID, v P, names []string) bool) {
	r.pids.Range(func(pid actor.PID, e entry[P]) bool { return f(pid, e.v, e.names) })
}
