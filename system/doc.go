// Package system runs processes: it owns their PID table and names, starts
// and counts their goroutines, carries signals between them, and shuts them
// all down.
//
// # Scheduling
//
// A process holds no goroutine while its mailbox is empty. A send that finds
// it idle starts one turn: a goroutine that serves the control lane first,
// then up to the process's throughput of user messages, checking the control
// lane between messages, and ends when the mailbox is empty. A process with
// more work after its throughput yields the processor to the other
// processes' turns before going on, when more turns are under way, in all
// the program's systems, than there are processors (GOMAXPROCS); with no
// more than that, none of them waits for its processor and it goes on at
// once.
//
// # Goroutines
//
// Every goroutine the runtime runs is started by one function (workers.go)
// which counts it and refuses new ones once Shutdown has begun: the turns,
// the one timer goroutine that serves every timer of the system (SendAfter,
// SendInterval, receive timeouts: started when a timer is first set, gone
// when none is pending; an armed timer is a heap entry, not a goroutine), and a delivery that
// must wait for room in a full Backpressure mailbox. A goroutine whose turn
// ends parks (up to 4×GOMAXPROCS of them) and runs the next turn that needs
// one, so a busy system seldom starts a goroutine. Shutdown waits for all
// of them; timers still pending then go to the dead letters.
//
// # Ordering
//
// Everything one process sends another arrives in the order sent, as in
// Erlang: messages, exit signals and Downs. The exception is a signal that
// ends the receiver without it seeing it (Kill, or an abnormal exit it does
// not trap): it travels on the control lane and overtakes what is queued.
// Every other exit signal waits in the user lane behind what its sender
// sent before it and is received by the rules in force when it is reached:
// an Exit message if the process traps exits then, ignored if it is Normal,
// the end of the process otherwise. Neither Exit nor Down messages are
// refused by a full mailbox.
//
// # Exits
//
// A process exits when its callback returns after Stop, when it panics, when
// Init fails, or when an untrapped exit signal arrives; Terminate then runs
// on its goroutine. It then leaves the registry (names included), its
// context is cancelled, links receive its exit signal, monitors their Down,
// and queued messages go to the dead letters. Kill does all that at once
// from the killer's goroutine: Go cannot pre-empt a handler, so a running
// handler finishes unobserved and whatever it does afterwards is discarded.
//
// # Shutdown
//
// Shutdown refuses new work, stops top-level processes in reverse spawn
// order, then any process left, waiting for each; if its context ends first
// it kills the rest and reports by PID and name the processes whose
// callback (Init, Receive or Terminate) is still running. When it returns,
// no process is left and those callbacks' goroutines are the only ones of
// the system still running.
//
// # Metrics
//
// Stats reads the system's counters without sending a message. A system
// created WithMetrics also counts by actor kind (actor.WithKind, or the
// actor's Go type) and by supervisor: spawns, exits by class, messages
// handled, a sampled handler time and mailbox wait, restarts, escalations
// and give-ups, and, when read, mailbox fill. Nothing is counted per message on memory that
// processes share (the rules are listed in metrics.go); without
// WithMetrics the metric code is a predictable branch per spawn, exit and
// turn, and per message the test of a local boolean that is always false.
// Package otelrt exports these to OpenTelemetry.
//
// # Introspection
//
// Inspect and Snapshot read a process from runtime-side state: they never
// send it a message and never wait for it, so a busy or stuck process is
// described like an idle one. Each process is read on its own, taking its
// lock only to copy its links and monitors; what a process published with
// Context.SetDescriber (a supervisor's children) is read by its Describer
// on the inspecting goroutine. Nobody inspecting costs nothing: the count
// of messages received is the one the mailbox keeps anyway.
package system
