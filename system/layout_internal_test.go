package system

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// What senders read on every send and what the owner writes for every
// message must not share a cache line, in one process or between
// neighbours in memory. A process of 256 bytes is in the 256-byte size
// class, so it starts on a cache line; the owner's fields then have the
// last line to themselves. When they shared one with the run state, a
// message cost one process in four twice as much.
func TestHotFieldsApart(t *testing.T) {
	var p process
	require.Equal(t, uintptr(256), unsafe.Sizeof(p), "a process fills the 256-byte size class exactly")
	sendersEnd := max(
		unsafe.Offsetof(p.sys)+unsafe.Sizeof(p.sys),
		unsafe.Offsetof(p.pid)+unsafe.Sizeof(p.pid),
		unsafe.Offsetof(p.mb)+unsafe.Sizeof(p.mb),
		unsafe.Offsetof(p.status)+unsafe.Sizeof(p.status),
	)
	ownerStart := min(unsafe.Offsetof(p.cur), unsafe.Offsetof(p.replied), unsafe.Offsetof(p.stop))
	require.LessOrEqual(t, sendersEnd, uintptr(128), "senders read the first two cache lines")
	require.Equal(t, uintptr(192), ownerStart, "the owner's fields start the last cache line")
}
