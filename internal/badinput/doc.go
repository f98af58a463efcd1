// Package badinput holds one table test of every misuse a user can make of
// the runtime's public API (actor, system, supervisor, mailbox): zero and
// foreign PIDs, nil actors and factories, invalid options and child specs,
// duplicate IDs and names, calls after Shutdown, replies without requests,
// requests to self, unknown refs and children, start functions that panic or
// block past their timeout. Each row states the error the call returns (a
// documented sentinel, matched with errors.Is or errors.As) and how many dead
// letters it makes: none of them panics, none loses a message, none leaves a
// process behind. It holds no production code.
package badinput
