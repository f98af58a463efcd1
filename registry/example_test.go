package registry_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/registry"
	"github.com/airssys/rt/system"
)

// proc stands for the runtime's process: anything that knows its PID.
type proc struct {
	pid actor.PID
	v   any
}

func (p *proc) Self() actor.PID { return p.pid }

// Remove takes a PID out of the table and releases its names in the same
// step: no name outlives its process.
func ExampleRegistry_Remove() {
	r := registry.New[proc]()
	db := actor.NewPID(1, 7)
	_ = r.Add(&proc{pid: db, v: "the database process"})

	fmt.Println(r.Register("db", db))
	pid, ok := r.Whereis("db")
	fmt.Println(pid, ok)
	p, _ := r.Lookup(pid)
	fmt.Println(p.v)

	_, names, _ := r.Remove(db) // the process exited: its names go with it
	_, ok = r.Whereis("db")
	fmt.Println(names, ok)
	// Output:
	// <nil>
	// <1.7> true
	// the database process
	// [db] false
}

// A name belongs to one live process at a time.
func ExampleRegistry_Register() {
	r := registry.New[proc]()
	a, b := actor.NewPID(1, 1), actor.NewPID(1, 2)
	_ = r.Add(&proc{pid: a, v: struct{}{}})
	_ = r.Add(&proc{pid: b, v: struct{}{}})
	_ = r.Register("leader", a)
	err := r.Register("leader", b)
	fmt.Println(errors.Is(err, registry.ErrNameTaken), err)
	fmt.Println(errors.Is(r.Register("ghost", actor.NewPID(1, 99)), registry.ErrNoProcess))
	// Output:
	// true actor: name already registered: "leader" is held by <1.1>
	// true
}

// Users meet the registry through the system: WithName, Register, Whereis,
// SendNamed. A name is free again as soon as its process has exited.
func Example_names() {
	ctx := context.Background()
	sys := system.New()
	defer sys.Shutdown(ctx)
	pid, _ := sys.Spawn(actor.Func(func(ctx actor.Context, msg any) { _ = ctx.Reply("pong") }),
		actor.WithName("ping"))
	fmt.Println(sys.SendNamed("ping", "hello"))
	_ = sys.Stop(ctx, pid)
	fmt.Println(errors.Is(sys.SendNamed("ping", "hello"), actor.ErrNoProcess))
	_, err := sys.Spawn(actor.Func(func(actor.Context, any) {}), actor.WithName("ping"))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// <nil>
}
