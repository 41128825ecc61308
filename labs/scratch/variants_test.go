package scratch

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTable(t *testing.T) {
	t.Parallel()
	outcomes := []string{lab.Works, lab.ExecNotFound, X509Unknown, UnknownZone, UnknownUser}
	seen := map[string]bool{}
	for _, v := range Variants() {
		t.Run(v.Case, func(t *testing.T) {
			assert.False(t, seen[v.Name], "step names are unique")
			seen[v.Name] = true
			assert.Contains(t, outcomes, v.Want)
			df, err := fs.ReadFile(sources, "dockerfiles/"+v.Dockerfile)
			require.NoError(t, err)
			assert.Contains(t, string(df), "ENTRYPOINT [\"/app\"]")
			final := df[strings.LastIndex(string(df), "FROM "):]
			assert.True(t, strings.HasPrefix(string(final), "FROM ${"+map[images.Key]string{
				images.Scratch: "SCRATCH", images.DistrolessStatic: "DISTROLESS_STATIC"}[v.Base]+"}"),
				"the step's base is the Dockerfile's final FROM")
			if v.Want != lab.Works {
				assert.NotEmpty(t, v.WantEvidence, "a failing step names the error it must show")
			}
			assert.Equal(t, v.Bundle, strings.Contains(string(df), "COPY ca-certificates.crt"),
				"Bundle marks exactly the images that hold the run's CA")
		})
	}
}

func TestSourcesEmbedded(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"programs/app/main.go", "programs/httpsd/main.go", "dockerfiles/httpsd.Dockerfile"} {
		_, err := fs.Stat(sources, p)
		assert.NoError(t, err, "the lab builds %s from the binary alone", p)
	}
}
