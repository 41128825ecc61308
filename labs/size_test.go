package labs_test

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/harness/record"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sizeLayerSlack is how far an app layer may differ from the file it copies.
// overlay2 (this engine) counts a layer as the sum of its files' bytes, so the
// Go app layer is exactly the binary; other storage drivers count directory
// and metadata blocks, a few KiB. 64 KiB leaves room for them and still
// catches anything else riding along in the layer.
const sizeLayerSlack = 64 << 10

// TestSize runs the size lab through its CLI flags, as `baselab run size
// --runs 3` would, and checks each cell against the table and the facts the
// images' recipes imply.
func TestSize(t *testing.T) {
	// Not parallel: the lab times container starts, and other tests' containers
	// on the same two cores would be in the numbers.
	env := labtest.Env(t)
	dir := t.TempDir()
	w, err := record.Create(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close() })
	env.Out = w

	lab := labs.Size()
	fs := pflag.NewFlagSet("size", pflag.ContinueOnError)
	lab.Flags(fs)
	require.NoError(t, fs.Parse([]string{"--runs", "3"}))
	rs, err := lab.Run(context.Background(), env)
	require.NoError(t, err)

	byVariant := map[string]record.Record{}
	for _, r := range rs {
		byVariant[r.Variant] = r
	}
	variants := labs.SizeVariants(images.Keys())
	require.Len(t, rs, len(variants), "one record per cell")

	written, err := record.Read(filepath.Join(dir, record.FileName))
	require.NoError(t, err)
	assert.Len(t, written, len(variants), "every record reaches results.jsonl")

	for _, v := range variants {
		t.Run(v.Name+" ends as "+v.Expect, func(t *testing.T) {
			r, ok := byVariant[v.Name]
			require.True(t, ok)
			assert.Equal(t, v.Expect, r.Outcome, "detail: %s\nevidence: %s", r.Detail, r.Evidence)
			assert.Equal(t, string(v.Base), r.Base)
			assert.NotEmpty(t, r.Image)
			if v.Base != images.Scratch || v.App != labs.SizeBare {
				assert.Positive(t, labs.SizeInt(r, "size_bytes"), "every image but bare scratch has bytes")
			}
			for _, k := range []string{"size_bytes", "layers", "compressed_bytes", "start_ms"} {
				assert.Contains(t, r.Extra, k, "the record carries %s (null when it does not apply)", k)
			}
			if v.App == labs.SizeBare {
				assert.Nil(t, r.Extra["start_ms"], "a bare base runs nothing")
				return
			}
			assert.Equal(t, r.Tries, r.OK, "every start answered")
			ms := labs.SizeFloat(r, "start_ms")
			assert.Greater(t, ms, 0.0)
			assert.Less(t, ms, 30_000.0, "a start to first response is seconds at worst")
			call := labs.SizeFloat(r, "start_call_ms")
			assert.Greater(t, call, 0.0)
			assert.LessOrEqual(t, call, ms, "the start call returns before the first answer can arrive")
		})
	}

	get := func(variant string) record.Record {
		t.Helper()
		r, ok := byVariant[variant]
		require.True(t, ok, "no record for %s", variant)
		return r
	}
	bin := labs.SizeInt(get("go/scratch"), "binary_bytes")
	facts := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"the alpine stand-in is under 15 MB (musl and busybox-static only)", func(t *testing.T) {
			assert.Less(t, labs.SizeInt(get("base/alpine"), "size_bytes"), int64(15_000_000))
		}},
		{"the distroless-static stand-in is under 5 MB (CA bundle, zoneinfo, a few /etc files)", func(t *testing.T) {
			assert.Less(t, labs.SizeInt(get("base/distroless-static"), "size_bytes"), int64(5_000_000))
		}},
		{"the slim stand-in is within 10% of the course's 74 MB for debian:bookworm-slim", func(t *testing.T) {
			assert.InEpsilon(t, 74_000_000, labs.SizeInt(get("base/slim"), "size_bytes"), 0.10)
		}},
		{"full is bigger than slim, and slim than alpine, and alpine than scratch", func(t *testing.T) {
			full, slim := labs.SizeInt(get("base/full"), "size_bytes"), labs.SizeInt(get("base/slim"), "size_bytes")
			alpine, scratch := labs.SizeInt(get("base/alpine"), "size_bytes"), labs.SizeInt(get("base/scratch"), "size_bytes")
			assert.Greater(t, full, slim)
			assert.Greater(t, slim, alpine)
			assert.Greater(t, alpine, scratch)
		}},
		{"scratch has no bytes and no layers, and the engine will not save it", func(t *testing.T) {
			r := get("base/scratch")
			assert.Zero(t, labs.SizeInt(r, "size_bytes"))
			assert.Zero(t, labs.SizeInt(r, "layers"))
			assert.Nil(t, r.Extra["compressed_bytes"], "no number is recorded that was not measured")
			assert.Contains(t, r.Evidence, "docker save refused")
		}},
		{"the Go server on scratch is the binary, to the byte within the slack", func(t *testing.T) {
			assert.InDelta(t, bin, labs.SizeInt(get("go/scratch"), "size_bytes"), sizeLayerSlack)
			assert.Equal(t, int64(1), labs.SizeInt(get("go/scratch"), "layers"))
		}},
		{"the Go binary on scratch still names its toolchain, which is what scanners read", func(t *testing.T) {
			v, _ := get("go/scratch").Extra["go_version"].(string)
			assert.Equal(t, runtime.Version(), v, "the server is built by this toolchain")
		}},
		{"every app adds one layer and, for Go, the binary and nothing else", func(t *testing.T) {
			for _, v := range variants {
				if v.App == labs.SizeBare {
					continue
				}
				r, base := get(v.Name), get(labs.SizeBare+"/"+string(v.Base))
				assert.Equal(t, labs.SizeInt(base, "layers")+1, labs.SizeInt(r, "layers"), v.Name)
				assert.Equal(t, labs.SizeInt(base, "size_bytes"), labs.SizeInt(r, "base_size_bytes"), v.Name)
				if v.App == labs.SizeGo {
					assert.InDelta(t, bin, labs.SizeInt(r, "app_bytes"), sizeLayerSlack, v.Name)
				}
			}
		}},
		{"gzip makes every image with layers smaller", func(t *testing.T) {
			for _, r := range rs {
				if labs.SizeInt(r, "layers") == 0 {
					continue
				}
				assert.Less(t, labs.SizeInt(r, "compressed_bytes"), labs.SizeInt(r, "size_bytes"), r.Variant)
				assert.Positive(t, labs.SizeInt(r, "compressed_bytes"), r.Variant)
			}
		}},
		{"the Python app is smaller on python-alpine than on python-slim", func(t *testing.T) {
			// python-alpine = alpine stand-in (< 15 MB) + CPython; python-slim =
			// slim (~74 MB) + Debian's python3 and pip.
			assert.Less(t, labs.SizeInt(get("python/python-alpine"), "size_bytes"), labs.SizeInt(get("python/python-slim"), "size_bytes"))
		}},
	}
	for _, f := range facts {
		t.Run(f.name, f.check)
	}
}

// BenchmarkSizeStart times container start to first HTTP response, per app
// image, as `go test -bench SizeStart -run '^$' ./labs/`. ns/op holds a
// whole iteration (create, start, answer, remove); ms/start is the lab's
// number: from the start call to the first answer.
func BenchmarkSizeStart(b *testing.B) {
	env := labtest.Env(b)
	ctx := context.Background()
	bin, err := labs.SizeServerBinary(ctx)
	require.NoError(b, err)
	cells := []labs.SizeVariant{
		{Name: "go/slim", Base: images.Slim, App: labs.SizeGo},
		{Name: "go/alpine", Base: images.Alpine, App: labs.SizeGo},
		{Name: "go/distroless-static", Base: images.DistrolessStatic, App: labs.SizeGo},
		{Name: "go/scratch", Base: images.Scratch, App: labs.SizeGo},
		{Name: "python/python-slim", Base: images.PythonSlim, App: labs.SizePython},
		{Name: "python/python-alpine", Base: images.PythonAlpine, App: labs.SizePython},
	}
	for _, v := range cells {
		b.Run(v.Name, func(b *testing.B) {
			im, err := labs.SizeAppImage(ctx, env, v, bin)
			require.NoError(b, err)
			total := 0.0
			n := 0
			for b.Loop() {
				st, err := labs.SizeStartOnce(ctx, env.Engine, im.Ref)
				require.NoError(b, err)
				total += st.Ms
				n++
			}
			b.ReportMetric(total/float64(n), "ms/start")
		})
	}
}
