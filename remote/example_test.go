package remote_test

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/remote"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// embedded starts a NATS server for an example; stop ends it.
func embedded() (url string, stop func()) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		panic(err)
	}
	s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		panic("nats server not ready")
	}
	return s.ClientURL(), func() { s.Shutdown(); s.WaitForShutdown() }
}

// Two nodes of cluster "demo" on one NATS server: a process on b is sent
// a Request from a's System with the call used for a local process.
func ExampleStart() {
	url, stop := embedded()
	defer stop()
	ctx := context.Background()

	sysA, sysB := system.New(), system.New()
	a, err := remote.Start(sysA, remote.Config{Cluster: "demo", Name: "a", URL: url})
	if err != nil {
		panic(err)
	}
	b, err := remote.Start(sysB, remote.Config{Cluster: "demo", Name: "b", URL: url})
	if err != nil {
		panic(err)
	}
	upper, _ := sysB.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		if s, ok := msg.(string); ok {
			_ = ctx.Reply(s + ", from b")
		}
	}), actor.WithName("upper"))

	reply, err := sysA.Request(ctx, upper, "hello")
	fmt.Println(reply, err)
	node, _, _ := remote.NodeOf(upper)
	fmt.Println("the process is on node", node)

	_ = a.Close()
	_ = b.Close()
	_ = sysA.Shutdown(ctx)
	_ = sysB.Shutdown(ctx)
	// Output:
	// hello, from b <nil>
	// the process is on node b
}

// A monitor of a process on a node that leaves gets one Down with reason
// actor.NoConnection.
func ExampleNode_MonitorNode() {
	url, stop := embedded()
	defer stop()
	ctx := context.Background()
	sysA, sysB := system.New(), system.New()
	a, _ := remote.Start(sysA, remote.Config{Cluster: "demo", Name: "a", URL: url})
	b, _ := remote.Start(sysB, remote.Config{Cluster: "demo", Name: "b", URL: url, Peers: []string{"a"}})
	far, _ := sysB.Spawn(actor.Func(func(actor.Context, any) {}))

	seen := make(chan any, 2)
	watcher, _ := sysA.Spawn(actor.Func(func(ctx actor.Context, msg any) {
		switch msg.(type) {
		case string:
			_, _ = ctx.Monitor(far)
			_, _ = a.MonitorNode(ctx.Self(), "b")
			seen <- "watching"
		default:
			seen <- msg
		}
	}))
	_ = sysA.Send(watcher, "watch")
	<-seen
	_ = b.Close()
	for range 2 {
		switch m := (<-seen).(type) {
		case actor.Down:
			fmt.Println("Down:", m.Reason)
		case remote.NodeDown:
			fmt.Println("NodeDown:", m.Node)
		}
	}
	_ = a.Close()
	_ = sysA.Shutdown(ctx)
	_ = sysB.Shutdown(ctx)
	// Unordered output:
	// Down: noconnection
	// NodeDown: b
}

// A supervisor on a keeps a worker on whichever of b and c is up.
func ExampleNode_Child() {
	url, stop := embedded()
	defer stop()
	ctx := context.Background()
	sysA, sysB := system.New(), system.New()
	a, _ := remote.Start(sysA, remote.Config{Cluster: "demo", Name: "a", URL: url})
	b, _ := remote.Start(sysB, remote.Config{Cluster: "demo", Name: "b", URL: url, Peers: []string{"a"}})
	_ = b.RegisterKind("worker", func(args any) (actor.Actor, []actor.Option, error) {
		return actor.Func(func(actor.Context, any) {}), nil, nil
	})
	sup, err := sysA.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.OneForOne},
		a.Child(supervisor.Child{ID: "w"}, "worker", nil, remote.Prefer("b", "c"))))
	fmt.Println(err)
	children, _ := supervisor.WhichChildren(ctx, sysA, sup)
	node, _, _ := remote.NodeOf(children[0].PID)
	fmt.Println(children[0].ID, "runs on", node)

	_ = sysA.Stop(ctx, sup)
	_ = a.Close()
	_ = b.Close()
	_ = sysA.Shutdown(ctx)
	_ = sysB.Shutdown(ctx)
	// Output:
	// <nil>
	// w runs on b
}
