package registry

import (
	"errors"

	"github.com/airssys/rt/actor"
)

// Errors returned by the registry. The name errors are the actor package's
// sentinels, because a user meets them through the system's Register,
// Whereis and WithName: errors.Is matches either name. ErrDuplicatePID is
// the registry's own.
var (
	// ErrNameTaken: the name is registered to another live process.
	ErrNameTaken = actor.ErrNameTaken
	// ErrNoProcess: the PID is not in the table (it exited or never was).
	ErrNoProcess = actor.ErrNoProcess
	// ErrEmptyName: names must be non-empty.
	ErrEmptyName = actor.ErrEmptyName
	// ErrNotRegistered: no process is registered under the name.
	ErrNotRegistered = actor.ErrNotRegistered
	// ErrDuplicatePID: Add was given a PID already in the table. The runtime
	// never reuses a PID, so this is a broken invariant in the caller, not
	// a condition to handle: report it.
	ErrDuplicatePID = errors.New("registry: PID already in the table (PIDs are never reused: this is a bug in the caller)")
)
