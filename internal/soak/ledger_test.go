package soak

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/airssys/rt/actor"
)

// payload is a load message: a unique id (from 1) and the index of the
// sending goroutine, for the per-sender order check.
type payload struct {
	id     uint64
	sender uint8
}

const maxSenders = 8

// Reason codes of dead letters and send errors, as stored in the ledger.
const (
	codeNone uint32 = iota
	codeNoProcess
	codeMailboxFull
	codeDroppedOldest
	codeStopped
	codeCanceled
	codeDeadline
	codeNotInProcess
	codeOther
	numCodes
)

var codeNames = [numCodes]string{"none", "no process", "mailbox full", "dropped oldest", "stopped",
	"context canceled", "deadline exceeded", "not in process", "other"}

func code(err error) uint32 {
	switch {
	case err == nil:
		return codeNone
	case errors.Is(err, actor.ErrNoProcess):
		return codeNoProcess
	case errors.Is(err, actor.ErrMailboxFull):
		return codeMailboxFull
	case errors.Is(err, actor.ErrDroppedOldest):
		return codeDroppedOldest
	case errors.Is(err, actor.ErrStopped):
		return codeStopped
	case errors.Is(err, context.Canceled):
		return codeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return codeDeadline
	case errors.Is(err, actor.ErrNotInProcess):
		return codeNotInProcess
	}
	return codeOther
}

// ledger accounts for every load message by id, lock-free: one word per id
// holds how often it was handled (bits 0-3) and dead-lettered (4-7), the
// dead letter's reason code (8-15), the send error's code (16-23) and
// whether it was sent at all (bit 31).
type ledger struct {
	slots   []atomic.Uint32
	targets []uint16 // the worker key each id was sent to, for failure messages
	next    atomic.Uint64
}

const (
	handledOne = 1 << 0
	deadOne    = 1 << 4
	sentBit    = 1 << 31
)

func newLedger(n int) *ledger {
	return &ledger{slots: make([]atomic.Uint32, n), targets: make([]uint16, n)}
}

// take returns a fresh id, or false when the ledger is full.
func (l *ledger) take() (uint64, bool) {
	id := l.next.Add(1)
	return id, id < uint64(len(l.slots))
}

// sent records that id went to worker key; only its sender writes
// targets[id], and audit reads it after every sender has finished.
func (l *ledger) sent(id uint64, key int, err error) {
	l.targets[id] = uint16(key)
	l.slots[id].Or(sentBit | code(err)<<16)
}

func (l *ledger) handled(id uint64) { l.slots[id].Add(handledOne) }

func (l *ledger) dead(id uint64, reason error) {
	l.slots[id].Add(deadOne)
	l.slots[id].Or(code(reason) << 8)
}

// audit is the ledger's verdict.
type audit struct {
	sent, handled, dead uint64
	deadBy              [numCodes]uint64
	sendErrBy           [numCodes]uint64
	lost, duplicated    uint64 // neither handled nor dead; more than once in all
	both                uint64 // handled and dead
	phantom             uint64 // handled or dead but never sent
	sendErrNotDead      uint64 // Send returned an error but no dead letter (or a handling) followed
	reasonMismatch      uint64 // dead letter's reason differs from the error Send returned
	examples            []string
}

func (l *ledger) audit() audit {
	var a audit
	note := func(format string, args ...any) {
		if len(a.examples) < 10 {
			a.examples = append(a.examples, fmt.Sprintf(format, args...))
		}
	}
	for id := 1; id < len(l.slots); id++ {
		w := l.slots[id].Load()
		h, d := w&0xf, w>>4&0xf
		deadWhy, sendErr := w>>8&0xff, w>>16&0xff
		if w&sentBit == 0 {
			if h+d > 0 {
				a.phantom++
				note("id %d: never sent, handled %d, dead %d", id, h, d)
			}
			continue
		}
		a.sent++
		a.handled += uint64(h)
		a.dead += uint64(d)
		if d > 0 && deadWhy < numCodes {
			a.deadBy[deadWhy]++
		}
		switch {
		case h+d == 0:
			a.lost++
			note("id %d to worker %d: lost: neither handled nor a dead letter (send error %q)", id, l.targets[id], codeNames[min(sendErr, numCodes-1)])
		case h == 1 && d == 1:
			a.both++
			note("id %d to worker %d: handled and a dead letter (%q)", id, l.targets[id], codeNames[min(deadWhy, numCodes-1)])
		case h+d > 1:
			a.duplicated++
			note("id %d to worker %d: handled %d times, dead-lettered %d times", id, l.targets[id], h, d)
		}
		if sendErr != codeNone {
			a.sendErrBy[min(sendErr, numCodes-1)]++
			if d != 1 || h != 0 {
				a.sendErrNotDead++
				note("id %d: Send failed (%q) but dead %d, handled %d", id, codeNames[min(sendErr, numCodes-1)], d, h)
			} else if deadWhy != sendErr {
				a.reasonMismatch++
				note("id %d: Send failed with %q, dead letter says %q", id, codeNames[min(sendErr, numCodes-1)], codeNames[min(deadWhy, numCodes-1)])
			}
		}
	}
	return a
}

// recorder is what workers report: each start (by parent and worker key),
// each crash they carried out, and any order violation.
type recorder struct {
	mu      sync.Mutex
	pidKey  map[actor.PID]int
	inits   map[initKey]int
	crashes atomic.Int64
	order   atomic.Int64
	orderEx atomic.Pointer[string]
}

type initKey struct {
	parent actor.PID
	key    int
}

func newRecorder() *recorder {
	return &recorder{pidKey: make(map[actor.PID]int), inits: make(map[initKey]int)}
}

func (r *recorder) init(key int, self, parent actor.PID) {
	r.mu.Lock()
	r.pidKey[self] = key
	r.inits[initKey{parent, key}]++
	r.mu.Unlock()
}

func (r *recorder) keyOf(pid actor.PID) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.pidKey[pid]
	return k, ok
}
