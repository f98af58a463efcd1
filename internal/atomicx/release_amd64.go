//go:build amd64 && !race

package atomicx

// StoreRelease stores v into *addr. Every write made before it, by the
// goroutine that calls it, is visible to a goroutine that loads v from
// *addr with sync/atomic. It orders nothing the caller does after it: a
// later load may be satisfied before the store is visible. *addr must be
// read with sync/atomic by other goroutines.
//
//go:noescape
func StoreRelease(addr *uint32, v uint32)

// StoreRelease64 is StoreRelease for a uint64; *addr must be 8-byte
// aligned.
//
//go:noescape
func StoreRelease64(addr *uint64, v uint64)
