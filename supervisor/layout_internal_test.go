package supervisor

import (
	"testing"
	"unsafe"
)

// A supervisor keeps one child record per child, so a 100,000-child
// supervisor pays its size 100,000 times: it must stay in the 128-byte
// size class.
func TestChildRecordSize(t *testing.T) {
	if got := unsafe.Sizeof(child{}); got > 128 {
		t.Fatalf("child record is %d bytes: more than the 128-byte size class", got)
	}
}
