// Package actortest helps test code built on the runtime, as zaptest and
// zaptest/observer help test code that logs: a [Probe] is a process whose
// messages a test reads in order and asserts on, [Run] runs a test body
// with a fresh system inside a testing/synctest bubble, and [Context] is a
// recording actor.Context for unit-testing a Receive without any system.
// It is the only package of the module that imports testing; production
// code never imports it.
//
// # Failing on the test goroutine
//
// Every assertion is a method or function the test calls on its own
// goroutine with its t. A wait for a message ends at the probe's timeout
// (DefaultTimeout unless [WithTimeout] says otherwise) and fails the test
// with t.Errorf and t.FailNow, naming what was expected and what arrived
// (or that nothing did). Actors never call t: a probe only records what it
// receives, so a failure never ends a runtime goroutine (see
// actor.ErrGoexit).
//
// # Virtual time
//
// Inside [Run] (or any synctest bubble) the runtime's timers, the probe's
// timeouts and ExpectNoMessage's wait run on the bubble's clock: a test of
// a one-minute restart period or a receive timeout finishes at once, and
// ExpectNoMessage(t, time.Hour) costs nothing. Outside a bubble they are
// real time, so keep them short there.
//
// # What a probe can do
//
// A probe is an ordinary process: others send to it, link to it, monitor
// it. The test makes it act with Send, Link, Monitor and TrapExit, which
// run inside the probe's own callback, so that their effects (an Exit, a
// Down) come to the probe and are read with ExpectExit and ExpectDown. A
// Request sent to the probe waits until the test calls Reply, or reads on
// without replying; it is then left unanswered.
//
// Anything else a process can do, the probe does with [Probe.Do], which
// runs a test's function as the probe's own code and returns its result,
// or [Probe.DoAsync], which queues it behind what the probe was sent
// before and returns at once (a function that blocks holds the probe
// busy, so that later messages queue up). Such a function runs on the
// probe's goroutine: it reports to the test through its result or a
// channel, never through t. [WithSpawn] spawns the probe where the test
// says (as the linked child of another process) and [WithTerminate] gives
// it a Terminate callback, to see or hold its exit.
package actortest
