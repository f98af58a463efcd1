package pidmap_test

import (
	"fmt"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/pidmap"
)

// A Map indexes whatever an actor keeps per PID, here the role of each
// child; a restart replaces the old PID by the new one.
func ExampleMap() {
	var roles pidmap.Map[string]
	worker := actor.NewPID(1, 10)
	roles.Put(actor.NewPID(1, 9), "cache")
	roles.Put(worker, "worker")

	roles.Delete(worker) // the worker exited and was restarted as <1.11>
	roles.Put(actor.NewPID(1, 11), "worker")

	role, ok := roles.Get(actor.NewPID(1, 11))
	fmt.Println(role, ok, roles.Len(), roles.Has(worker))
	// Output:
	// worker true 2 false
}
