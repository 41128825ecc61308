package labs_test

import (
	"context"
	"encoding/json"
	"html"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/baselab/baselab/harness/report"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/labtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium finds Debian's chromium. Where the suite must be complete
// (BASELAB_REQUIRE_DOCKER=1, as CI sets it) a missing browser fails the
// test; elsewhere it skips and says why.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BASELAB_REQUIRE_DOCKER") == "1" {
		t.Fatal("chromium is not installed and BASELAB_REQUIRE_DOCKER=1: install Debian's chromium (.ci/run does) to render the report")
	}
	t.Skip("chromium is not installed: the report's rendering is not checked (apt-get install chromium)")
	return ""
}

func headless(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--no-first-run", "--disable-extensions"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "chromium %v: %s", args, stderr.String())
	return out
}

// measure is appended to a copy of the page: it runs after the whole body
// is parsed and laid out, and writes what the browser drew of each chart.
const measure = `<script>
(function () {
  var out = [];
  document.querySelectorAll("svg.chart").forEach(function (s) {
    var r = s.getBoundingClientRect(), b = s.getBBox();
    out.push({id: s.closest("figure").id, w: r.width, h: r.height, bw: b.width, bh: b.height,
      paths: s.querySelectorAll("path").length, texts: s.querySelectorAll("text").length});
  });
  var pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>`

type drawn struct {
	ID           string
	W, H, BW, BH float64
	Paths, Texts int
}

func TestReportRendersInHeadlessChromium(t *testing.T) {
	bin := chromium(t)
	dir, rs := labtest.RoundTrip(t, labtest.Samples())
	htmlPath, _, err := report.Write(dir, rs, report.Options{Labs: labs.Reports(), Source: "test data"})
	require.NoError(t, err)
	rep, err := report.Build(rs, report.Options{Labs: labs.Reports()})
	require.NoError(t, err)
	var want []string
	for _, s := range rep.Labs {
		for _, c := range s.Charts {
			want = append(want, c.ID)
		}
	}
	require.NotEmpty(t, want)

	t.Run("every chart is in the DOM with a size and drawn content", func(t *testing.T) {
		page, err := os.ReadFile(htmlPath)
		require.NoError(t, err)
		probe := filepath.Join(dir, "measure.html")
		require.NoError(t, os.WriteFile(probe, []byte(strings.Replace(string(page), "</body>", measure+"</body>", 1)), 0o644))
		dom := headless(t, bin, "--dump-dom", "file://"+probe)
		m := regexp.MustCompile(`(?s)<pre id="measured">(.*?)</pre>`).FindSubmatch(dom)
		require.NotNil(t, m, "the measuring script ran and wrote into the DOM")
		var got []drawn
		require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &got))
		var ids []string
		for _, d := range got {
			ids = append(ids, d.ID)
			// 150 pt is the smallest chart the report draws: at 96 dpi
			// that is 200 CSS px; anything under 100 px is a collapsed chart.
			assert.Greater(t, d.W, 100.0, "%s width", d.ID)
			assert.Greater(t, d.H, 100.0, "%s height", d.ID)
			assert.Greater(t, d.BW, 50.0, "%s: drawn content has a width", d.ID)
			assert.Greater(t, d.BH, 50.0, "%s: drawn content has a height", d.ID)
			assert.GreaterOrEqual(t, d.Paths, 5, "%s: axes, ticks and data are paths", d.ID)
			assert.GreaterOrEqual(t, d.Texts, 3, "%s: a title and tick labels", d.ID)
		}
		assert.Equal(t, want, ids)
	})

	t.Run("a screenshot of the page is not blank and shows the charts' colours", func(t *testing.T) {
		shot := filepath.Join(t.TempDir(), "report.png")
		headless(t, bin, "--screenshot="+shot, "--window-size=1280,3000", "file://"+htmlPath)
		f, err := os.Open(shot)
		require.NoError(t, err)
		defer f.Close()
		img, err := png.Decode(f)
		require.NoError(t, err)
		if keep := os.Getenv("BASELAB_REPORT_SCREENSHOT"); keep != "" {
			b, _ := os.ReadFile(shot)
			require.NoError(t, os.WriteFile(keep, b, 0o644))
		}
		b := img.Bounds()
		assert.Equal(t, 1280, b.Dx())
		white, blue, vermillion, green := 0, 0, 0, 0
		for y := b.Min.Y; y < b.Max.Y; y += 2 {
			for x := b.Min.X; x < b.Max.X; x += 2 {
				c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
				switch {
				case near(c, color.RGBA{255, 255, 255, 255}, 4):
					white++
				case near(c, color.RGBA{0, 114, 178, 255}, 40):
					blue++
				case near(c, color.RGBA{213, 94, 0, 255}, 40):
					vermillion++
				case near(c, color.RGBA{0, 158, 115, 255}, 40):
					green++
				}
			}
		}
		total := (b.Dx() / 2) * (b.Dy() / 2)
		assert.Less(t, white, total*97/100, "more than 3%% of the page is not white")
		// The series colours appear only where a chart drew a glyph, a bar
		// or a line (the tables use pale tints).
		assert.Greater(t, blue, 50, "blue series drawn")
		assert.Greater(t, vermillion, 20, "vermillion series / dropped queries drawn")
		assert.Greater(t, green, 20, "green series / answered queries drawn")
	})
}

func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) int {
		if x > y {
			return int(x - y)
		}
		return int(y - x)
	}
	return d(a.R, b.R) <= tol && d(a.G, b.G) <= tol && d(a.B, b.B) <= tol
}
