package scratch_test

import (
	"context"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/baselab/baselab/labs/scratch"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScratch runs the lab on real containers and holds every step to the
// table: each failing step fails with the error the world shows, each fix
// works.
func TestScratch(t *testing.T) {
	t.Parallel()
	env := labtest.Env(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	rs, err := scratch.New().Run(ctx, env)
	require.NoError(t, err)
	require.Len(t, rs, len(scratch.Variants()), "one record per step")
	byName := map[string]record.Record{}
	for _, r := range rs {
		byName[r.Variant] = r
	}
	for _, v := range scratch.Variants() {
		t.Run(v.Case, func(t *testing.T) {
			r, ok := byName[v.Name]
			require.True(t, ok, "no record for %s", v.Name)
			assert.Equal(t, "scratch", r.Lab)
			assert.Equal(t, string(v.Base), r.Base)
			assert.NotEmpty(t, r.Image)
			require.Equal(t, v.Want, r.Outcome, "evidence: %s; detail: %s", r.Evidence, r.Detail)
			assert.Equal(t, 1, r.Tries)
			if v.Want != lab.Works {
				assert.Contains(t, r.Evidence, v.WantEvidence)
				assert.Equal(t, 1, r.Failed)
				return
			}
			assert.Equal(t, 1, r.OK)
			assert.Equal(t, float64(0), num(t, r, "exit_code"))
			assert.Equal(t, float64(v.WantUID), num(t, r, "uid"), "uid")
			assert.Equal(t, float64(v.WantGID), num(t, r, "gid"), "gid")
			assert.Equal(t, v.WantName, r.Extra["user_name"], "user name")
			require.NotNil(t, r.P50ms, "the program's own run time")
			if v.HTTPS {
				assert.Equal(t, float64(200), num(t, r, "http_status"))
			}
			if v.TZ {
				assert.Equal(t, scratch.ZoneAbbrev, r.Extra["zone_abbrev"])
				assert.Equal(t, float64(scratch.ZoneOffsetS), num(t, r, "zone_offset_s"))
			}
		})
	}

	t.Run("a real public chain verifies from a bundle, the image's own included, and not without one", func(t *testing.T) {
		checked := 0
		for _, v := range scratch.Variants() {
			if !v.Chain {
				continue
			}
			checked++
			r := byName[v.Name]
			// app-only.Dockerfile copies the program alone: no bundle.
			want := v.Dockerfile != "app-only.Dockerfile"
			assert.Equal(t, want, r.Extra["public_chain_verified"], "%s: %v", v.Name, r.Extra["public_chain_error"])
			if want {
				assert.Equal(t, "GTS Root R1", r.Extra["public_chain_root"], "%s: the chain's root, from the image's bundle", v.Name)
			} else {
				assert.Equal(t, "x509: certificate signed by unknown authority", r.Extra["public_chain_error"], v.Name)
			}
		}
		assert.Positive(t, checked)
	})
	t.Run("a cgo build names glibc's loader, which scratch does not have", func(t *testing.T) {
		r := byName["dynamic-binary"]
		assert.Equal(t, false, r.Extra["static"])
		assert.Equal(t, "/lib64/ld-linux-x86-64.so.2", r.Extra["interpreter"], "the x86-64 psABI's glibc loader")
	})
	t.Run("time/tzdata adds about 450 KB to the binary", func(t *testing.T) {
		// The time/tzdata package documentation: "about 450 KB"; the
		// database grows a little each release, so allow 350-600 KB.
		added := num(t, byName["tzdata-embedded"], "adds_bytes")
		assert.InDelta(t, 475_000, added, 125_000)
		assert.Equal(t, added, num(t, byName["tzdata-embedded"], "binary_bytes")-num(t, byName["static-binary"], "binary_bytes"),
			"the image grows by exactly what the binary grows")
	})
	t.Run("copying zoneinfo adds what its files weigh", func(t *testing.T) {
		r := byName["zoneinfo-copied"]
		files := num(t, r, "zoneinfo_file_bytes")
		// The engine sizes a layer by the bytes of its regular files: the
		// copy adds them, and no more than a few KB besides.
		assert.InDelta(t, files, num(t, r, "adds_bytes"), 16_384)
		assert.Less(t, num(t, r, "zone_file_bytes"), float64(16_384),
			"one zone is a few KB: copying only the zones used is the smallest fix")
	})
	t.Run("the CA bundle adds Debian's bundle and the lab CA", func(t *testing.T) {
		r := byName["ca-bundle-copied"]
		bundle := num(t, r, "bundle_bytes")
		assert.InDelta(t, bundle+700, num(t, r, "adds_bytes"), 400, "plus one PEM certificate (~700 B)")
		assert.Greater(t, num(t, r, "bundle_debian_certs"), float64(100), "Debian's bundle holds the public roots")
	})
}

// num is a numeric field the record must have, not null.
func num(t *testing.T, r record.Record, key string) float64 {
	t.Helper()
	_, ok := r.Extra[key]
	require.True(t, ok, "record %s has no %s", r.Variant, key)
	f, ok := r.Float(key)
	require.True(t, ok, "record %s: %s is %#v, not a number", r.Variant, key, r.Extra[key])
	return f
}
