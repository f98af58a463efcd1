package registry

import (
	"fmt"

	"github.com/puzpuzpuz/xsync/v3"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/pidmap"
)

// Errors returned by the registry; they are the actor package's sentinels,
// so callers may test either name with errors.Is.
var (
	// ErrNameTaken: the name is registered to another live process.
	ErrNameTaken = actor.ErrNameTaken
	// ErrNoProcess: the PID is not in the table (it exited or never was).
	ErrNoProcess = actor.ErrNoProcess
	// ErrEmptyName: names must be non-empty.
	ErrEmptyName = actor.ErrEmptyName
	// ErrNotRegistered: no process is registered under the name.
	ErrNotRegistered = actor.ErrNotRegistered
	// ErrDuplicatePID: Add was called twice for one PID.
	ErrDuplicatePID = fmt.Errorf("registry: PID already in the table: %w", actor.ErrInvalidOption)
)

type entry[V any] struct {
	v     V
	names []string
}

// Registry maps live PIDs to values of type V (the runtime's processes) and
// names to PIDs. The zero value is not usable; call New.
type Registry[V any] struct {
	pids  *xsync.MapOf[actor.PID, entry[V]]
	names *xsync.MapOf[string, actor.PID]
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
func New[V any]() *Registry[V] {
	return &Registry[V]{
		pids:  xsync.NewMapOfWithHasher[actor.PID, entry[V]](hashPID),
		names: xsync.NewMapOf[string, actor.PID](),
	}
}

// Add puts pid in the table with value v. It fails with ErrDuplicatePID if
// pid is already there.
func (r *Registry[V]) Add(pid actor.PID, v V) error {
	if _, loaded := r.pids.LoadOrStore(pid, entry[V]{v: v}); loaded {
		return ErrDuplicatePID
	}
	return nil
}

// Lookup returns the value stored for pid.
func (r *Registry[V]) Lookup(pid actor.PID) (V, bool) {
	e, ok := r.pids.Load(pid)
	return e.v, ok
}

// Remove takes pid out of the table and releases its names. It returns the
// value and the names released; ok is false if pid was not there.
func (r *Registry[V]) Remove(pid actor.PID) (v V, names []string, ok bool) {
	var old entry[V]
	r.pids.Compute(pid, func(e entry[V], loaded bool) (entry[V], bool) {
		old, ok = e, loaded
		return e, true // delete
	})
	if !ok {
		return v, nil, false
	}
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
func (r *Registry[V]) Register(name string, pid actor.PID) error {
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
	r.pids.Compute(pid, func(e entry[V], loaded bool) (entry[V], bool) {
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
func (r *Registry[V]) Unregister(name string) error {
	pid, ok := r.names.LoadAndDelete(name)
	if !ok {
		return fmt.Errorf("unregister %q: %w", name, ErrNotRegistered)
	}
	r.pids.Compute(pid, func(e entry[V], loaded bool) (entry[V], bool) {
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
func (r *Registry[V]) Whereis(name string) (actor.PID, bool) {
	return r.names.Load(name)
}

// Names returns the names registered for pid.
func (r *Registry[V]) Names(pid actor.PID) []string {
	e, _ := r.pids.Load(pid)
	return append([]string(nil), e.names...)
}

// Len returns the number of PIDs in the table.
func (r *Registry[V]) Len() int { return r.pids.Size() }

// Range calls f for every PID in the table until f returns false. It sees a
// consistent entry per PID but not a snapshot of the whole table.
func (r *Registry[V]) Range(f func(pid actor.PID, v V) bool) {
	r.pids.Range(func(pid actor.PID, e entry[V]) bool { return f(pid, e.v) })
}
