// Package atomicx provides the one atomic operation sync/atomic lacks and
// the mailbox's hot path needs: a store with release ordering only.
//
// sync/atomic's stores are sequentially consistent. On amd64 that makes
// every one an XCHG, a locked instruction that drains the store buffer and
// costs as much as the rest of a mailbox push put together. Publishing a
// message needs less: the writes that fill a slot must be visible before
// the flag that says the slot is full, which every store on amd64 already
// guarantees (stores are not reordered with earlier stores). StoreRelease
// is that plain store, in assembly so that the compiler cannot reorder it
// either.
//
// On other architectures, and under the race detector (which must see the
// store as synchronisation), StoreRelease is sync/atomic's Store.
//
// A StoreRelease gives no ordering against later loads: code that stores
// and then loads another variable that other goroutines store (a Dekker
// handshake) must use sync/atomic.
package atomicx
