package junit_test

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/baselab/baselab/harness/junit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCountsComeFromTheCases(t *testing.T) {
	doc := junit.Suites{Name: "demo", Tests: 99, Suites: []junit.Suite{
		{Name: "a", Cases: []junit.Case{
			{Name: "holds"},
			{Name: "refuted", Failure: &junit.Problem{Message: "p95_ms = 5047 (bound < 500)", Type: "refuted"}},
			{Name: "no data", Error: &junit.Problem{Type: "no-data"}},
		}},
		{Name: "b", Cases: []junit.Case{{Name: "ignored", Skipped: &junit.Skip{Message: "--ignore BL012"}}}},
	}}
	var b bytes.Buffer
	require.NoError(t, junit.Write(&b, doc))
	assert.True(t, bytes.HasPrefix(b.Bytes(), []byte(xml.Header)))
	var back junit.Suites
	require.NoError(t, xml.Unmarshal(b.Bytes(), &back), b.String())
	assert.Equal(t, 4, back.Tests, "the caller's count is replaced by the cases'")
	assert.Equal(t, 1, back.Failures)
	assert.Equal(t, 1, back.Errors)
	assert.Equal(t, 1, back.Skipped)
	require.Len(t, back.Suites, 2)
	assert.Equal(t, 3, back.Suites[0].Tests)
	assert.Equal(t, "refuted", back.Suites[0].Cases[1].Failure.Type)
	assert.Equal(t, "0", back.Suites[0].Time)
}
