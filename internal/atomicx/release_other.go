//go:build !amd64 || race

package atomicx

import "sync/atomic"

// StoreRelease stores v into *addr. Every write made before it, by the
// goroutine that calls it, is visible to a goroutine that loads v from
// *addr with sync/atomic. Callers must assume it orders nothing they do
// after it (on amd64 without the race detector, a later load may be
// satisfied before the store is visible); on this architecture, or under
// the race detector, it is sync/atomic's StoreUint32. *addr must be read
// with sync/atomic by other goroutines.
func StoreRelease(addr *uint32, v uint32) { atomic.StoreUint32(addr, v) }

// StoreRelease64 is StoreRelease for a uint64; here sync/atomic's
// StoreUint64. *addr must be 8-byte aligned.
func StoreRelease64(addr *uint64, v uint64) { atomic.StoreUint64(addr, v) }
