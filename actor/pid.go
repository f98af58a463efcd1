package actor

import (
	"strconv"
	"sync/atomic"
)

const idBits = 48

// PID identifies a process. It is a small comparable value: use it with ==,
// as a map key, and send it in messages. The zero PID names no process (test
// it with IsZero). A PID stays valid after its process exits; sends to it
// then fail with ErrNoProcess and go to the dead letters.
type PID struct{ v uint64 }

// NewPID returns the PID of process id in system sys. Runtimes and tests use
// it; a PID made by hand names whatever process holds that number, if any.
// sys must fit in 16 bits and id in 48; higher bits are discarded.
func NewPID(sys uint16, id uint64) PID {
	return PID{v: uint64(sys)<<idBits | id&(1<<idBits-1)}
}

// IsZero reports whether p is the zero PID.
func (p PID) IsZero() bool { return p.v == 0 }

// System returns the number of the system that owns the process.
func (p PID) System() uint16 { return uint16(p.v >> idBits) }

// ID returns the process number within its system; numbers grow in spawn
// order.
func (p PID) ID() uint64 { return p.v & (1<<idBits - 1) }

// String formats p the way Erlang prints pids: <system.id>. The zero PID
// prints as <0.0>.
func (p PID) String() string {
	b := make([]byte, 0, 24)
	b = append(b, '<')
	b = strconv.AppendUint(b, uint64(p.System()), 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, p.ID(), 10)
	b = append(b, '>')
	return string(b)
}

// Ref identifies one monitor (or one request). Refs are unique within a
// program run and comparable; the zero Ref is never issued.
type Ref struct{ v uint64 }

var refs atomic.Uint64

// NewRef returns a fresh, unique Ref. It is safe for concurrent use.
func NewRef() Ref { return Ref{v: refs.Add(1)} }

// IsZero reports whether r is the zero Ref.
func (r Ref) IsZero() bool { return r.v == 0 }

// String formats r as #Ref<n>.
func (r Ref) String() string { return "#Ref<" + strconv.FormatUint(r.v, 10) + ">" }
