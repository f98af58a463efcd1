package system_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/testkit"
)

// A panic is abnormal whatever its value wraps: a link partner that does
// not trap exits is taken down by it, as by any crash.
func TestPanicWrappingNormalIsAbnormal(t *testing.T) {
	sys := newSystem(t)
	exits := watchExits(t, sys)
	crasher := spawnProbe(t, sys, false)
	partner := spawnProbe(t, sys, false)
	link(t, sys, partner.pid, crasher.pid)

	sys.Send(crasher.pid, run(func(actor.Context) { panic(fmt.Errorf("finished: %w", actor.Normal)) }))

	var pe *actor.PanicError
	require.ErrorAs(t, exits.wait(t, crasher.pid), &pe)
	reason := exits.wait(t, partner.pid)
	require.ErrorAs(t, reason, &pe, "the partner exits with the panic as its reason")
	require.False(t, actor.IsClean(reason))
	testkit.Empty(t, partner.out)
}
