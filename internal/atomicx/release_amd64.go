//go:build amd64 && !race

package atomicx

// StoreRelease stores v into *addr. Every write made before it, by the
// goroutine that calls it, is visible to a goroutine that loads v from
// *addr with sync/atomic; writes made after it may become visible first,
// and loads after it may be satisfied before it is visible. *addr must be
// read with sync/atomic by other goroutines.
//
//go:noescape
func StoreRelease(addr *uint32, v uint32)
