// Package observer shows a running system: its supervision tree as text,
// JSON and Graphviz DOT, and a live web page served by an http.Handler,
// mounted the way net/http/pprof is:
//
//	mux.Handle("/debug/rt/", observer.Handler(sys))
//
// # What it reads
//
// Everything comes from system.System.Snapshot and Stats, which read
// runtime-side state: observing never sends a message to an observed
// process, so a busy or stuck process (or supervisor) is shown like an
// idle one, and the tree is built from one snapshot rather than from
// answers collected one supervisor at a time. A supervisor's spec and its
// children's life cycle come from the supervisor.Info it publishes.
//
// # Cost
//
// Nothing runs while nobody looks. The page's live updates (Server-Sent
// Events) are computed only while a page is connected, on the request's
// own goroutine, and the event-stream subscription that feeds "recent
// events" exists only while at least one page is connected. The counters
// and events go out every interval (WithInterval); full updates (snapshot,
// tree, table) are spaced so that the time spent on them stays within a
// budget, a share of one core (WithBudget), so a system of 100,000
// processes is refreshed less often rather than loaded more. Pages
// connected together share one snapshot.
//
// # Actions
//
// Stopping or killing a process and restarting a supervisor's child are
// off unless the handler is built WithActions: the page then shows the
// buttons and the action endpoint accepts POSTs.
//
// # Formats
//
// BuildTree arranges a snapshot as a Tree; WriteText, WriteJSON and
// WriteDOT render it. The JSON schema is the Tree and Node types' (their
// json tags), described in docs/observer.md.
package observer
