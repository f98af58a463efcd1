package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out))
	require.Equal(t, `burst of 40 jobs: scaled to 2 workers, 40 jobs done
burst of 160 jobs: scaled to 8 workers, 160 jobs done
burst of 30 jobs: scaled to 2 workers, 30 jobs done
worker 0: 3² = 9
worker 1: 4² = 16
after a crash, worker 1: 9² = 81
scaled to 0: 0 workers running
`, out.String())
}
