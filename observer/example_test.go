package observer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/observer"
	"github.com/airssys/rt/supervisor"
	"github.com/airssys/rt/system"
)

// BuildTree arranges one snapshot as the supervision tree; WriteText,
// WriteJSON and WriteDOT render it.
func ExampleBuildTree() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	_, _ = sys.Spawn(supervisor.New(supervisor.Spec{Strategy: supervisor.OneForAll},
		supervisor.Child{ID: "db", Start: actor.PropsOf(func() actor.Actor { return worker{} })},
		supervisor.Child{ID: "api", Start: actor.PropsOf(func() actor.Actor { return worker{} })},
	), actor.WithName("app"))

	snap := sys.Snapshot()
	tree := observer.BuildTree(&snap, observer.TreeOptions{})
	app := tree.Roots[0]
	fmt.Println(app.Name, app.Kind, app.Strategy)
	for _, c := range app.Children {
		fmt.Println(" ", c.ID, c.Kind, c.State, c.Restart)
	}
	// Output:
	// app supervisor one_for_all
	//   db worker running permanent
	//   api worker running permanent
}

// Handler is mounted like net/http/pprof; its JSON endpoints serve what
// the page shows.
func ExampleHandler() {
	sys := system.New()
	defer sys.Shutdown(context.Background())
	_, _ = sys.Spawn(supervisor.New(supervisor.Spec{},
		supervisor.Child{ID: "worker", Start: actor.PropsOf(func() actor.Actor { return worker{} })},
	), actor.WithName("app"))

	mux := http.NewServeMux()
	mux.Handle("/debug/rt/", observer.Handler(sys))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/debug/rt/api/tree")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var tree observer.Tree
	_ = json.NewDecoder(resp.Body).Decode(&tree)
	fmt.Println(tree.Processes, "processes;", tree.Roots[0].Name, "supervises", tree.Roots[0].Children[0].ID)
	// Output: 2 processes; app supervises worker
}
