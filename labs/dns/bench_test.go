package dns_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/require"
)

// matrixLine is the lab's own account of the matrix (dns.go Run): the wall
// time from the first cell's start to the last cell's end, without the
// images and containers it needs, and the slowest lookup any cell made.
var matrixLine = regexp.MustCompile(`matrix wall time (\S+), slowest cell \S+, slowest lookup ([0-9.]+) s`)

// BenchmarkMatrix runs the default matrix (the under-load cells left out:
// they come after it) and reports its wall time against its floor, the
// slowest single lookup (issue 15's goal: at most 2×).
func BenchmarkMatrix(b *testing.B) {
	env := labtest.Env(b)
	var progress bytes.Buffer
	env.Progress = &progress
	cfg := dns.DefaultConfig()
	cfg.Load = false
	for b.Loop() {
		progress.Reset()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		_, err := dns.Run(ctx, env, cfg)
		cancel()
		require.NoError(b, err)
		m := matrixLine.FindStringSubmatch(progress.String())
		require.NotNil(b, m, "the lab prints its matrix line")
		wall, err := time.ParseDuration(m[1])
		require.NoError(b, err)
		slowest, err := strconv.ParseFloat(m[2], 64)
		require.NoError(b, err)
		b.ReportMetric(wall.Seconds(), "matrix-s")
		b.ReportMetric(slowest, "slowest-lookup-s")
		b.ReportMetric(wall.Seconds()/slowest, "×slowest")
		fmt.Fprintf(os.Stdout, "dns matrix: wall %.1f s, slowest lookup %.1f s, %.2f× (goal ≤ 2×)\n", wall.Seconds(), slowest, wall.Seconds()/slowest)
	}
}
