// Package router passes messages on to a set of routees by a policy. A
// router is an ordinary process, made by [New] and spawned like any other,
// and built on [actor.Context] alone, as the supervisor package is: it
// forwards each message with [actor.Context.Forward], so a routee sees the
// original sender, and a Request through a router is answered by the
// routee's Reply directly (a routee's exit fails it with the routee's
// reason, as a Request to the routee would).
//
// # Policies
//
// [RoundRobin] takes the routees in turn; [Random] picks one uniformly;
// [ConsistentHash] maps a [Keyed] message's key to a routee by rendezvous
// hashing over slots, so a key keeps its routee across restarts;
// [LeastLoaded] picks the routee with the smallest mailbox backlog, read
// from the runtime ([actor.Context.Backlog]) without a message round trip;
// [Broadcast] sends to every routee (a Request is answered by the first).
// A [Policy] is an interface: a user's policy is one method.
//
// # Routees
//
// A router routes over a group of existing PIDs ([Spec].Routees) or over a
// [Pool]: workers the router starts under a SimpleOneForOne supervisor it
// spawns and links to, resized at run time with [Resize]. Each routee has
// a slot; a pool worker that its supervisor restarts rejoins its slot by
// itself (it tells the router from its Init), so nobody re-registers it.
//
// The router monitors its routees. A routee that is down (exited, or
// restarting) is never picked; one found dead before its Down arrived is
// taken down and the message goes to another. When no routee is up, a
// pool router holds up to [Spec].Hold messages until a worker rejoins and
// then routes them in order; beyond that, and for a group, the message is
// refused: a dead letter with [ErrNoRoutee], and a Request fails with it
// at once. A message a policy cannot route (a ConsistentHash
// given a message without a key) is refused the same way. Nothing is lost
// silently: each message is delivered once or is a dead letter once.
//
// # Errors
//
// Spawn returns the configuration errors of the var block in errors.go:
// ErrNilPolicy, ErrNoRoutees, ErrGroupAndPool, ErrBadSize, and
// actor.ErrZeroPID or actor.ErrForeignPID for a routee that is no PID of
// the router's system. [Resize] and [Routees] are synchronous requests to
// the router that take an [actor.Requester] (a System, or a Context).
//
// # Concurrency
//
// A router is one process: its routee set is touched only by its own
// callbacks, one message at a time. With a [Concurrent] policy (all of
// this package's but Broadcast) it also routes in its senders' goroutines
// while it holds no message of theirs ([actor.Context.Redirect]), even
// while it handles a Down or a pool note: such a message goes
// straight to the routee, with no hop through the router's mailbox, and
// the order from one sender to each routee holds. (A Request still sets
// its watch on the router first, under the router's lock, and hands it
// over to the routee: requesters touch the router briefly, senders not at
// all.) Other messages, and
// all of them under another policy, take one hop through its mailbox.
// Resize blocks the router while workers start
// or stop, as a supervisor's dynamic API does. A router that does not
// keep up is a bottleneck like any process: a Pool's workers scale the
// work, not the routing. A pool router traps exits: a worker
// announces itself with an exit signal, which a full mailbox never refuses
// and no worker waits on, and the router takes any other exit signal as a
// process that does not trap would (the pool's, or an abnormal one, ends
// it; Normal is ignored).
package router
