package surface

import (
	"encoding/json"
	"testing"

	"github.com/baselab/baselab/harness/report"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSurfaceSaysWhyThereIsNoCVECount(t *testing.T) {
	_, rs := labtest.RoundTrip(t, labtest.SamplesOf("surface"))
	_, md, _ := labtest.Render(t, rs, report.Options{Labs: []report.Lab{New().ReportLab()}})
	assert.Contains(t, md, "not scanned", "a null cves is not scanned, never zero")
	raw, err := json.Marshal(rs[len(rs)-1])
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"cves":null`)
}
