package atomicx_test

import (
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/airssys/rt/internal/atomicx"
)

// A writer fills a value and then publishes it; a reader that loads the
// flag with sync/atomic and finds it set sees the value.
func ExampleStoreRelease() {
	var msg string
	var ready uint32
	go func() {
		msg = "hello"
		atomicx.StoreRelease(&ready, 1)
	}()
	for atomic.LoadUint32(&ready) == 0 {
		runtime.Gosched()
	}
	fmt.Println(msg)
	// Output: hello
}
