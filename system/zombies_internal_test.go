package system

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/mailbox"
)

// A process killed while its handler runs is tracked in zombies only until
// its owner has drained it, however the handler's return and the kill's
// finalize interleave (a long finalize, with many monitors to tell, lets
// the handler return first).
func TestKilledProcessLeavesNoZombieEntry(t *testing.T) {
	s := New()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	}()
	leaked := 0
	for round := 0; round < 20; round++ {
		started := make(chan struct{})
		pid, err := s.Spawn(actor.Func(func(ctx actor.Context, _ any) {
			close(started)
			<-ctx.Context().Done() // returns as soon as the kill cancels the context
		}))
		if err != nil {
			t.Fatal(err)
		}
		for range 5000 { // a long finalize: many watchers to tell
			if _, err := s.Monitor(pid); err != nil {
				t.Fatal(err)
			}
		}
		p, _ := s.reg.Lookup(pid)
		_ = s.Send(pid, "go")
		<-started
		_ = s.Kill(pid)
		for p.mb.State.Load() != mailbox.Dead { // the owner drains at once
			runtime.Gosched()
		}
		if _, ok := s.zombies.Load(p); ok {
			leaked++
		}
	}
	if leaked > 0 {
		t.Fatalf("%d of 20 killed, fully drained processes are still in s.zombies", leaked)
	}
}
