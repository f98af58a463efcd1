package actortest

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/airssys/rt/system"
)

// ShutdownTimeout bounds the Shutdown that ends Run, in the bubble's
// virtual time. Reaching it fails the test: a process did not stop.
const ShutdownTimeout = time.Minute

// Run runs body inside a testing/synctest bubble with a new system made
// with opts, and shuts the system down when the test ends, failing t if
// Shutdown fails. Every timer of the runtime, every probe's timeout and
// ExpectNoMessage run on the bubble's virtual clock; synctest itself fails
// the test if a goroutine started in the bubble outlives it (a leak) or if
// all of them are blocked for good (a deadlock).
//
// The Shutdown is registered with t.Cleanup before body runs, so probes
// made in body are released before it (cleanups run last-in first-out).
func Run(t *testing.T, body func(t *testing.T, sys *system.System), opts ...system.Option) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		sys := system.New(opts...)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
			defer cancel()
			if err := sys.Shutdown(ctx); err != nil {
				t.Errorf("actortest: shutdown: %v", err)
			}
		})
		body(t, sys)
	})
}
