// Package supervisor implements OTP's supervisor behaviour on the links,
// monitors and exit signals of the runtime. A supervisor is an ordinary
// actor, made by [New] and spawned like any other: it traps exits, starts
// its children with SpawnLink, and restarts them when their exit signals
// arrive as [actor.Exit] messages. It acts on processes only through
// [actor.Context], so whatever it does to them, a user's actor could do
// too. The one thing it takes from the module's internal packages is a data
// structure: internal/pidmap's Map, its index from a running child's PID to
// the child, where a user's actor would use a Go map. A restart replaces
// one PID of that index by the next one the runtime hands out; the Map
// keeps such PIDs side by side, and among 100,000 live PIDs it makes that
// replacement over three times faster than a Go map (BenchmarkChurn in
// docs/benchmarks.md).
//
// # Starting
//
// A [Spec] gives the strategy, the restart intensity and what to do beyond
// it; each [Child] gives an ID, the [actor.Props] to start it from, its
// restart type, shutdown policy, start timeout, kind and significance. The
// zero values are OTP's defaults. The supervisor's Init validates the whole
// spec first (so Spawn returns a validation error before any child runs),
// then starts the children in spec order, each initialised before the next.
// If one fails to start, those already started are stopped in reverse order
// and Spawn fails with a [*ChildStartFailed].
//
// # Restarting
//
// A child is restarted according to its restart type: [Permanent] after any
// exit, [Transient] after an abnormal one (see [actor.IsClean]), [Temporary]
// never — it is then forgotten. What is restarted with it is the strategy's
// choice: [OneForOne] restarts the child alone, [OneForAll] stops the other
// children in reverse start order and starts them all again in start order,
// [RestForOne] does the same for the children started after it. Temporary
// bystanders are stopped and forgotten. A group restart counts as one
// restart. If a child fails to start during a restart, it and the children
// after it are left restarting and the restart is retried, and counted,
// from that child, as OTP does. [SimpleOneForOne] is the dynamic
// supervisor: one template child, from which [StartChildWith] starts any
// number of children with arguments; each is restarted on its own.
//
// Handling a child's exit costs O(1) in the number of its siblings: the
// supervisor finds the child in its PID index and keeps the start order
// in a linked list.
//
// # Intensity and escalation
//
// More than Intensity restarts within Period (a sliding window, on the
// system clock that [actor.Context.Now] reads) and the supervisor stops
// restarting. The history of restarts is pruned as it goes, so its size is
// bounded by the intensity and a restart costs the same after a million
// earlier ones. Only restarts count: not a transient child's clean exit,
// nor TerminateChild, RestartChild, or bystanders stopped by a group
// restart.
//
// Beyond the intensity the Spec's [Escalation] decides. [Escalate], the
// default, stops every child in reverse start order and exits with a
// [*RestartLimitExceeded], so the parent supervisor decides in turn;
// [Terminate] does the same and exits with [actor.Shutdown]. A [Backoff]
// never gives up: it delays the restart by Base, doubling each time up to
// Max, with random jitter, and starts again from Base once the children
// have gone a whole Period without a delayed restart.
//
// A [Breaker] is a circuit breaker per child, or shared by the siblings of
// one [Child].Breaker: beyond the intensity it opens, and the child (with
// the children restarted with it, and those sharing the breaker) stays
// down for a cool-down, doubling each time up to a cap; then it is
// half-open, the children started again one at a time on probation, and
// closed once each stayed up for the probation. [ResetChild] closes a
// breaker at once.
//
// # Deciding per failure
//
// A [Spec] may carry a [Decider], which decides per failure where OTP
// decides by the restart type alone. It is asked about every exit the
// child's restart type would restart, with the child's ID, PID, exit
// reason and restart count, and answers a [Decision]: [Restart] by the
// strategy (what happens without a Decider), [RestartAlone] even under
// OneForAll and RestForOne, [Stop] and keep the spec, [Delete] the spec, or
// [GiveUp] at once with a reason of its choosing. Restarts it decides count
// toward the intensity as any restart does. It runs in the supervisor's
// turn and must not block; a panic in it makes the supervisor give up
// with the panic as its reason. Each decision is published as a [Decided]
// event before it is carried out.
//
// # Changing a running supervisor
//
// [Reconfigure] changes a running supervisor's strategy, intensity,
// period, escalation and Decider with [Change] values, all together
// between two of its messages, after validating the result as New does;
// an invalid result changes nothing. The restart history is kept and
// judged by the new limits. A SimpleOneForOne supervisor stays dynamic and
// a static one static ([ErrDynamicStrategy]). A change lasts as long as
// the process; [CurrentSpec] reports the Spec in effect and a
// [Reconfigured] event each change.
//
// # Health checks
//
// A [Child] with [Health] is probed while it runs: every Interval the
// supervisor sends it a probe ([actor.Context.Probe]) through its mailbox,
// which the runtime answers for it once its turn reaches it, calling its
// Check if it is an [actor.Checker]. After Failures failed probes in a row
// (no answer within Timeout, or a Check error) the supervisor publishes
// [ChildUnhealthy], ends the child with an [*UnhealthyError] (matching
// [ErrUnhealthy]) — killing it if it stopped answering, giving it its
// shutdown policy's time if it answered with an error — and handles the
// exit by its restart type, counted toward the intensity. Probes run on the
// system's timers: no goroutine per child.
//
// # Stopping
//
// Children stop in reverse start order, each per its [ShutdownPolicy]:
// [Brutal] kills it (its Terminate does not run), [Timeout] sends exit
// signal [actor.Shutdown], waits up to the timeout and then kills it,
// publishing a [ShutdownTimeout] event, and [Infinity] waits as long as the
// child takes. A child that exits for another reason meanwhile is simply
// done. A dynamic supervisor signals all its children first and then waits
// for them, so they stop concurrently under one deadline.
//
// The supervisor stops its children and exits when its parent's exit
// signal arrives, with the parent's reason. The system counts as a parent:
// an exit signal from the zero PID (System.Shutdown, System.Stop,
// System.Exit) stops any supervisor. It also stops when it gives up, or
// when significant children end it (see [AutoShutdown]). Exit signals from
// any other process that is not one of its children are ignored.
//
// # The dynamic API
//
// [StartChild], [StartChildWith], [TerminateChild], [TerminateChildPID],
// [RestartChild], [DeleteChild], [WhichChildren] and [CountChildren] (and
// [Reconfigure], [CurrentSpec] and [ResetChild]) are synchronous requests
// to the supervisor, with OTP's error cases as the
// errors of the var block in errors.go. They take a [Requester]: the
// *system.System from outside the actors, or an actor's own
// [actor.Context] from inside one. The supervisor handles them one at a
// time, between the exits of its children.
//
// # Events and logs
//
// Every supervision step is published as a typed value on the system's
// event stream — [ChildStarted], [ChildExited], [ChildRestarted],
// [RestartFailed], [RestartDelayed], [Decided], [GaveUp],
// [ShutdownTimeout], [Reconfigured], [BreakerOpened], [BreakerHalfOpen],
// [BreakerClosed], [ChildUnhealthy] — in the order it happens, and logged through the
// supervisor's logger with the fields supervisor, child, child_pid, reason
// and restarts (and decision, decision_reason for a Decided; pid, added by
// the runtime, is the supervisor's own). Events are the API; logs are for
// people.
//
// # Introspection
//
// A supervisor publishes an Info (see actor.Context.SetDescriber):
// system.System.Inspect and Snapshot show its strategy, intensity, period,
// escalation and each child's ID, PID, restart type, shutdown, kind,
// restarts, last exit and life cycle (Life), without a message, so a busy
// supervisor is seen as it is. It keeps the view under a lock taken for the
// O(1) bookkeeping of one child at a time.
//
// # Concurrency
//
// A supervisor is one process: its state is touched only by its own
// callbacks, one message at a time. Starting and stopping children block
// the supervisor while they run (a child's Init, a child's shutdown), as in
// OTP; requests wait their turn. The package functions are safe for
// concurrent use. The actor that [New] returns is one process's state:
// call New again for each process, as a [actor.Props] factory does.
package supervisor
