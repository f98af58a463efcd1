package supervisor

import (
	"time"

	"github.com/airssys/rt/actor"
)

// after delivers msg to the supervisor itself after d; the timer dies with
// the supervisor.
func (s *sup) after(ctx actor.Context, d time.Duration, msg any) {
	ctx.SendAfter(d, s.self, msg)
}
