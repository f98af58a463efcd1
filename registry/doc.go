// Package registry holds a system's table of live processes and their
// registered names, in lock-free maps.
//
// # Names
//
// A name belongs to at most one live process; registering a taken name fails
// with ErrNameTaken. Remove releases every name of the removed process in the
// same step, so a name is free again as soon as its process has left the
// table. Registering a name for a PID that is not in the table fails with
// ErrNoProcess; the check and the insertion are one atomic step with respect
// to Remove, so no name can outlive its process.
//
// # Concurrency
//
// Every method of Registry is safe for concurrent use and none blocks on
// another caller for longer than a map bucket update. Lookups take no lock
// at all.
//
// # PID tables
//
// The runtime hands PIDs out in sequence, and a restart replaces an old PID
// by the next new one. The table's hash keeps runs of 16 consecutive PIDs in
// neighbouring buckets (the placement of internal/pidmap, whose map the
// runtime's link sets and the supervisor's child index use), so that
// spawning or restarting among 100,000 live processes touches warm memory
// instead of a random cache line of a large table.
package registry
