package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	got := regexp.MustCompile(`<\d+\.\d+>`).ReplaceAllString(out.String(), "<N>")
	require.Equal(t, `1. A crash travels along a link to a process that does not trap exits.
   Down from a: panic in <N>: bad input
   Down from b: panic in <N>: bad input
2. A process that traps exits gets them as Exit messages, Normal included.
   Exit from a child that finished: normal (the guardian lives on)
   Exit from a child that failed: disk full (the guardian lives on)
3. Kill cannot be trapped.
   Down from the guardian: killed
4. Monitoring a process that is already gone gives Down with NoProc at once.
   Down from a: noproc
`, got)
}
