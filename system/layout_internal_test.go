package system

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// What a sender reads on every send and what the owner writes for every
// message must be a cache line apart wherever a process's lines fall (its
// size class is not a multiple of 64). Sharing a line doubled the cost of
// a message for one process in four.
func TestHotFieldsApart(t *testing.T) {
	var p process
	sendersEnd := max(
		unsafe.Offsetof(p.sys)+unsafe.Sizeof(p.sys),
		unsafe.Offsetof(p.pid)+unsafe.Sizeof(p.pid),
		unsafe.Offsetof(p.mb)+unsafe.Sizeof(p.mb),
		unsafe.Offsetof(p.status)+unsafe.Sizeof(p.status),
	)
	ownerStart := min(unsafe.Offsetof(p.cur), unsafe.Offsetof(p.replied), unsafe.Offsetof(p.stop))
	require.GreaterOrEqual(t, ownerStart, sendersEnd+64,
		"senders read bytes [0, %d) of a process, the owner writes from byte %d", sendersEnd, ownerStart)
}
