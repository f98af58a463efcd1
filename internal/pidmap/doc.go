// Package pidmap holds the runtime's map from PIDs, for one goroutine, and
// the placement of PIDs in a table that both it and the registry's hash
// use.
//
// # Placement
//
// The runtime hands PIDs out in sequence, and a restart replaces an old PID
// by the next new one, so the PIDs a table meets next are the ones just
// after those it met last. Place keeps runs of consecutive PIDs in
// consecutive positions and scatters the runs, so that inserting a new PID
// touches memory an earlier insertion has just touched, and PIDs spaced by a
// power of two still spread over the table.
//
// # Concurrency
//
// A Map is not safe for concurrent use: the runtime keeps each one under the
// lock or on the goroutine of the process that owns it.
package pidmap
