package registry

import "github.com/airssys/rt/actor"

// cacheSize is the number of entries of the send cache.
const cacheSize = 1024

// LookupCached is Lookup through the send cache: a direct-mapped table of
// the processes most recently looked up this way, which answers a send to
// a recently seen process with one load.
//
// It may return a process that Remove is taking out of the table at that
// moment, as Lookup may; the runtime tells by the process's own state (its
// mailbox is closed before it leaves the table). No entry outlives its
// process: Remove empties the entry after it has deleted the PID from the
// table, and a lookup that fills the entry checks the table again after the
// store, emptying the entry if the PID is gone. Of the two, one sees the
// other, so the cache never keeps a removed process (and what it refers
// to) alive.
func (r *Registry[T, P]) LookupCached(pid actor.PID) (P, bool) {
	e := &r.cache[pid.ID()%cacheSize]
	if v := P(e.Load()); v != nil && v.Self() == pid {
		return v, true
	}
	v, ok := r.Lookup(pid)
	if ok {
		e.Store((*T)(v))
		if _, still := r.pids.Load(pid); !still {
			e.CompareAndSwap((*T)(v), nil)
		}
	}
	return v, ok
}

// uncache empties pid's entry if it holds v.
func (r *Registry[T, P]) uncache(pid actor.PID, v P) {
	r.cache[pid.ID()%cacheSize].CompareAndSwap((*T)(v), nil)
}
