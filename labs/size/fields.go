package size

import (
	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs/lab"
)

// Fields are the fields a size record carries beyond the common ones. A
// field that does not apply to a cell is null, not absent: zero would be a
// number nobody measured.
var Fields = []lab.Field{
	{Name: "size_bytes", Kind: lab.Num, Meaning: "the image's size as `docker images` prints it (image inspect Size)", Measures: images.PropSize},
	{Name: "compressed_bytes", Kind: lab.Num, Meaning: "docker save | gzip: what a registry stores (null: the engine refuses to save an image with no layers)", Measures: images.PropSize},
	{Name: "layers", Kind: lab.Num, Meaning: "the image's layer count (RootFS.Layers)", Measures: images.PropSize},
	{Name: "start_ms", Kind: lab.Num, Meaning: "median from the container start call to the app's first HTTP 200, in ms (null on a bare base)"},
	{Name: "course_bytes", Kind: lab.Num, Meaning: "the course's size for the image this base stands for (null: the course gives none)"},
	{Name: "course_image", Kind: lab.Str, Meaning: "the image the course's number is for (ubuntu:22.04 for full; null: the course gives none)"},
	{Name: "app", Kind: lab.Str, Meaning: "what runs on the base: base (nothing), go or python"},
	{Name: "app_bytes", Kind: lab.Num, Meaning: "what the app adds over its base, in bytes"},
	{Name: "base_size_bytes", Kind: lab.Num, Meaning: "the bare base's size, beside the app image's", Measures: images.PropSize},
	{Name: "binary_bytes", Kind: lab.Num, Meaning: "the static Go server's size"},
	{Name: "go_version", Kind: lab.Str, Meaning: "the Go toolchain the server's build info names (what scanners read for Go)"},
	{Name: "start_runs_ms", Kind: lab.List, Meaning: "every timed start, in ms"},
	{Name: "start_spread_ms", Kind: lab.Num, Meaning: "slowest minus fastest start, in ms"},
	{Name: "start_call_ms", Kind: lab.Num, Meaning: "median time the engine's start call took to return (the engine's part of start_ms)"},
	{Name: "ready_after_call_ms", Kind: lab.Num, Meaning: "median time from the start call's return to the first answer (the app's part of start_ms)"},
}
