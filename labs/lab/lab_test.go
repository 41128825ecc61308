package lab_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOneRuleNamesVariantsInEveryLab(t *testing.T) {
	cases := []struct {
		name, pattern, variant string
		want                   bool
	}{
		{"a name names itself", "no-ca-bundle", "no-ca-bundle", true},
		{"a glob names what it matches", "alpine/race/*/none", "alpine/race/use-vc/none", true},
		{"a star stops at a slash", "alpine/*", "alpine/race/none/none", false},
		{"a substring is not a match", "race", "alpine/race/none/none", false},
		{"a name with glob characters still names itself", "a[b", "a[b", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assert.Equal(t, c.want, lab.Match(c.pattern, c.variant)) })
	}
}

func TestValidateRefusesAVariantTheLabDoesNotHaveInOneLine(t *testing.T) {
	l := lab.Lab{Name: "demo", Variants: func() []string { return []string{"a/x", "a/y", "b/x"} }}
	require.NoError(t, l.Validate(nil))
	require.NoError(t, l.Validate([]string{"a/*", "b/x"}))
	err := l.Validate([]string{"c/*"})
	require.Error(t, err)
	assert.Equal(t, "lab demo has no variant \"c/*\": `baselab run demo --list` lists its 3 variants", err.Error())
	err = l.Validate([]string{"a/["})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a pattern")
}

func TestSelectAppliesOnlyAndShortAndNamesWhatShortSkips(t *testing.T) {
	var out bytes.Buffer
	env := &lab.Env{Progress: &out, Short: true, Only: []string{"a/*"}}
	got := lab.Select(env, "demo", []string{"a/fast", "a/slow", "b/fast"}, func(s string) string { return s },
		func(s string) string {
			if strings.HasSuffix(s, "slow") {
				return "expected 25 s"
			}
			return ""
		})
	assert.Equal(t, []string{"a/fast"}, got)
	assert.Equal(t, "demo: --short skips a/slow (expected 25 s)\n", out.String())
}

func TestRunCellsEmitsRecordsAndLinesInCellOrderAndKeepsTheLabsErrorsApart(t *testing.T) {
	dir := t.TempDir()
	w, err := record.Create(dir)
	require.NoError(t, err)
	var out bytes.Buffer
	env := &lab.Env{Progress: &out, Out: w}
	cells := []int{30, 0, 20, 10}
	recs, err := lab.RunCells(context.Background(), env, cells, len(cells), func(ctx context.Context, i, c int) (record.Record, error) {
		time.Sleep(time.Duration(c) * time.Millisecond) // finish out of order
		if i == 2 {
			return record.Record{}, errors.New("cell 2: the engine went away")
		}
		return record.Record{Lab: "demo", Variant: fmt.Sprint(i)}, nil
	}, func(i, c int, r record.Record) string { return "cell " + r.Variant })
	require.EqualError(t, err, "cell 2: the engine went away")
	require.NoError(t, w.Close())
	require.Len(t, recs, 3, "a cell that failed has no record")
	assert.Equal(t, "cell 0\ncell 1\ncell 2: the engine went away\ncell 3\n", out.String())
	onDisk, err := record.Read(dir)
	require.NoError(t, err)
	var vs []string
	for _, r := range onDisk {
		vs = append(vs, r.Variant)
	}
	assert.Equal(t, []string{"0", "1", "3"}, vs, "records are written in cell order")
}

func TestEveryLabFieldKindIsKnownAndCommonFieldsAreDeclaredOnce(t *testing.T) {
	l := lab.Lab{Name: "demo", Fields: []lab.Field{{Name: "queries", Kind: lab.Num, Meaning: "queries per lookup"}}}
	k, ok := l.FieldKind("queries")
	assert.True(t, ok)
	assert.Equal(t, lab.Num, k)
	k, ok = l.FieldKind("p95_ms")
	assert.True(t, ok, "common fields are every lab's")
	assert.Equal(t, lab.Num, k)
	_, ok = l.FieldKind("cipher")
	assert.False(t, ok)
}
