package system_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/airssys/rt/actor"
	"github.com/airssys/rt/internal/testkit"
	"github.com/airssys/rt/mailbox"
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

// The largest accepted throughput and capacity work as given; one past the
// throughput's range is refused rather than truncated.
func TestNumericOptionsAtTheirLimits(t *testing.T) {
	sys := newSystem(t)
	p := spawnProbe(t, sys, false, actor.WithThroughput(actor.MaxThroughput), actor.WithMailbox(math.MaxInt, mailbox.Backpressure))
	for i := range 3 {
		require.NoError(t, sys.Send(p.pid, i))
	}
	flush(t, sys, p.pid)
	for i := range 3 {
		require.Equal(t, i, testkit.Recv(t, p.out))
	}
	_, err := sys.Spawn(&agent{}, actor.WithThroughput(1<<32))
	require.ErrorIs(t, err, actor.ErrInvalidOption)
}
