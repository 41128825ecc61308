package scratch_test

import (
	"context"
	"io"
	"testing"

	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/scratch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVariantsListWithoutDocker(t *testing.T) {
	t.Parallel()
	var want []string
	for _, v := range scratch.Variants() {
		want = append(want, v.Name)
	}
	assert.Equal(t, want, scratch.New().Variants(), "--list prints the walkthrough, in order")
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		only []string
		err  string
	}{
		{"an unknown step is refused before anything runs", []string{"no-such-step"}, `no variant "no-such-step"`},
		{"one bad name among good ones is refused", []string{"exercise-4", "bogus"}, `no variant "bogus"`},
		{"a step by name is accepted", []string{"exercise-4"}, ""},
		{"a glob naming steps is accepted", []string{"user-*"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := scratch.New().Validate(c.only)
			if c.err == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, c.err)
		})
	}
}

func TestOnlyNamingNoStepReachesNoEngine(t *testing.T) {
	t.Parallel()
	// No engine in env: the lab must return before it needs one.
	rs, err := scratch.New().Run(context.Background(), &lab.Env{Progress: io.Discard, Only: []string{"dns/*"}})
	require.NoError(t, err)
	assert.Empty(t, rs)
}
