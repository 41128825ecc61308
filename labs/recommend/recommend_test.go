package recommend

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The course's exercise 5, scenario by scenario. The expected bases are the
// course's own answers (its "defaults" in Q5 and the decision guide) where
// the labs do not contradict them; the evidence is what must back them.
func TestExerciseFiveScenarios(t *testing.T) {
	cases := []struct {
		name     string
		in       Input
		image    string
		base     string
		evidence []string // claims the reasons must cite
		caveats  []string // claims the caveats must cite
	}{
		{
			name:     "scenario 1: a Python ML app with TensorFlow, NumPy and Pandas gets python slim",
			in:       Input{Lang: "python", NativeDeps: true, Size: "medium"},
			image:    "python:3.11-slim",
			base:     "python-slim",
			evidence: []string{"glibc-wheels-crash-on-alpine", "slim-fixes-the-wheel"},
		},
		{
			name:     "scenario 2: a pure-JS Node API wanting minimal size gets node alpine, with the DNS caveat",
			in:       Input{Lang: "node", Size: "high"},
			image:    "node:20-alpine",
			base:     "alpine",
			evidence: []string{"alpine-10x-smaller-than-slim"},
			caveats:  []string{"musl-parallel", "single-request-fixes-alpine"},
		},
		{
			name:     "scenario 3: a Spring Boot app that must be debuggable in production gets a glibc JRE with a shell",
			in:       Input{Lang: "java", NeedShell: true, Size: "medium"},
			image:    "eclipse-temurin:21-jre",
			base:     "slim",
			evidence: []string{"slim-about-74mb"},
		},
		{
			name:     "scenario 4: a Go microservice calling HTTPS with minimal CVEs and smallest size gets scratch with the CA bundle",
			in:       Input{Lang: "go", HTTPS: true, Size: "high", Regulatory: true},
			image:    "scratch",
			base:     "scratch",
			evidence: []string{"scratch-static-binary-runs", "scratch-needs-ca-certificates", "scratch-https-with-ca-bundle", "scratch-nothing-inside", "go-static-unaffected"},
			caveats:  []string{"scratch-needs-tzdata", "scratch-needs-passwd-for-non-root"},
		},
		{
			name:     "scenario 5: a legacy PHP app with many extensions gets the Debian-based PHP image",
			in:       Input{Lang: "php", NativeDeps: true, Size: "medium"},
			image:    "php:8.3-apache",
			base:     "slim",
			evidence: []string{"glibc-wheels-crash-on-alpine", "slim-about-74mb"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Recommend(c.in)
			require.NoError(t, err)
			assert.Equal(t, c.image, r.Image)
			assert.Equal(t, c.base, r.Base)
			assert.Subset(t, cited(r.Reasons), c.evidence)
			assert.Subset(t, cited(r.Caveats), c.caveats)
			for _, x := range append(r.Reasons, r.Caveats...) {
				assert.NotEmpty(t, x.Evidence, "every reason points at evidence: %q", x.Text)
			}
			assert.Equal(t, r.Image, r.Path[len(r.Path)-1])
		})
	}
}

func cited(rs []Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Evidence...)
	}
	return out
}

func TestMoreOfTheTree(t *testing.T) {
	cases := []struct {
		name  string
		in    Input
		image string
	}{
		{"a static Go binary with no particular needs gets distroless/static", Input{Lang: "go"}, "gcr.io/distroless/static-debian12"},
		{"a static Go binary under audit gets distroless/static, not scratch", Input{Lang: "go", Regulatory: true}, "gcr.io/distroless/static-debian12"},
		{"a static Go binary that needs a shell gets alpine", Input{Lang: "go", NeedShell: true}, "alpine:3.20"},
		{"a static Go binary that needs a shell and does not mind size gets slim", Input{Lang: "go", NeedShell: true, Size: "low"}, "debian:bookworm-slim"},
		{"a cgo binary gets distroless/base", Input{Lang: "go", NativeDeps: true}, "gcr.io/distroless/base-debian12"},
		{"a Rust binary linked against libgcc gets distroless/cc", Input{Lang: "rust", NativeDeps: true}, "gcr.io/distroless/cc-debian12"},
		{"native Python under audit gets distroless python", Input{Lang: "python", NativeDeps: true, Regulatory: true}, "gcr.io/distroless/python3-debian12"},
		{"pure Node under audit gets distroless nodejs", Input{Lang: "node", Regulatory: true}, "gcr.io/distroless/nodejs20-debian12"},
		{"pure Ruby under audit has no distroless image and gets slim", Input{Lang: "ruby", Regulatory: true}, "ruby:3.3-slim"},
		{"pure Python at medium size priority gets slim, the course's default", Input{Lang: "python"}, "python:3.11-slim"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Recommend(c.in)
			require.NoError(t, err)
			assert.Equal(t, c.image, r.Image)
		})
	}
}

func TestEveryCitedClaimIsInTheCourseFile(t *testing.T) {
	course, err := Course()
	require.NoError(t, err)
	ids := map[string]bool{}
	for _, c := range course.Claims {
		ids[c.ID] = true
	}
	for _, lang := range Langs {
		for _, size := range Sizes {
			for mask := range 16 {
				in := Input{Lang: lang, Size: size, NativeDeps: mask&1 != 0, NeedShell: mask&2 != 0, HTTPS: mask&4 != 0, Regulatory: mask&8 != 0}
				r, err := Recommend(in)
				require.NoError(t, err, "%+v", in)
				require.NotEmpty(t, r.Image, "%+v", in)
				for _, id := range r.Claims() {
					assert.True(t, ids[id], "%+v cites claim %q, which course.yaml does not have", in, id)
				}
			}
		}
	}
}

func TestBadInputSaysWhatIsValid(t *testing.T) {
	_, err := Recommend(Input{Lang: "cobol"})
	assert.ErrorContains(t, err, `unknown language "cobol": want one of go, rust`)
	_, err = Recommend(Input{Lang: "go", Size: "huge"})
	assert.ErrorContains(t, err, `unknown size priority "huge"`)
}

func TestWriteCitesTheLabCellBehindEachReason(t *testing.T) {
	course, err := Course()
	require.NoError(t, err)
	r, err := Recommend(Input{Lang: "node", Size: "high"})
	require.NoError(t, err)
	var b bytes.Buffer
	Write(&b, r, course, nil)
	out := b.String()
	assert.True(t, strings.HasPrefix(out, "use: node:20-alpine\n"))
	assert.Contains(t, out, "[dns/alpine/race/none/none · claim musl-parallel")
	assert.Contains(t, out, "dns/alpine/race/single-request/none · claim single-request-fixes-alpine")
	assert.Contains(t, out, "path: language node → interpreted, no native dependencies → size priority high → node:20-alpine")
}
