// Package soak is the runtime's reliability suite; it holds no production
// code, only tests.
//
// # What it proves
//
// A chaos soak drives a three-level supervisor tree of about a thousand
// actors, under load from several senders, while a chaos goroutine panics,
// errors, kills and stops processes and trips supervisors' intensity. At the
// end every message sent is accounted for exactly once (handled, or a dead
// letter with its reason), every process has lived or exited on record,
// restarts seen in events equal the supervisors' own counts, and after
// Shutdown no goroutine is left and the heap is back near its baseline.
// Restart storms show that a child failing in Init forever neither spins nor
// escapes its supervisor's intensity, on the virtual clock of a
// testing/synctest bubble. Scale tests spawn and stop a million idle actors,
// a supervisor of 100,000 children and a chain of 1,000 nested supervisors.
//
// # Short and long
//
// `go test` runs short versions, a few seconds under -race. With SOAK=1 set
// (`make soak`) the long versions run for minutes; SOAK_DURATION bounds the
// chaos soak (default 2m) and SOAK_SEED (or -seed) replays a seed, which
// every failure message prints.
package soak
