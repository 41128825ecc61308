package report

import (
	"html/template"
	"io"
	"strings"
)

// WriteHTML writes the report as one self-contained page: styles and charts
// inline, no script, nothing fetched.
func (r *Report) WriteHTML(w io.Writer) error {
	return page.Execute(w, r)
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"join":  strings.Join,
	"lower": strings.ToLower,
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --good:#dff3e4; --warn:#fff3c4; --bad:#fde2dd; --badge:#6e40c9; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color: var(--fg); margin: 0; background: #fff; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); padding-bottom: 12px; }
h1 { font-size: 26px; margin: 0 0 6px; }
h2 { font-size: 21px; margin: 36px 0 4px; padding-top: 8px; border-top: 3px solid var(--fg); }
h3 { font-size: 16px; margin: 20px 0 6px; }
p.meta, .muted { color: var(--muted); font-size: 13px; }
nav a { margin-right: 14px; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; color: #fff; background: var(--badge); border-radius: 8px; padding: 0 6px; margin-left: 6px; vertical-align: 1px; white-space: nowrap; }
.notes { background: #f6f8fa; border-left: 4px solid #bf8700; padding: 6px 12px; margin: 10px 0; font-size: 14px; }
ul.notes { padding-left: 30px; }
.notes li { margin: 2px 0; }
.missing { border-left-color: #cf222e; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; margin: 12px 0; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; max-width: 100%; }
figure h3 { margin: 0 0 4px; font-size: 14px; }
figcaption { font-size: 12px; color: var(--muted); max-width: 560px; }
svg.chart { display: block; max-width: 100%; height: auto; }
ul.legend { list-style: none; padding: 0; margin: 4px 0; font-size: 12px; columns: 2; max-width: 560px; }
ul.legend span { font-size: 13px; margin-right: 4px; }
.scroll { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 3px 7px; vertical-align: top; text-align: left; }
th { background: #f6f8fa; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.mono, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
td.small { font-size: 11px; word-break: break-all; min-width: 18em; }
td.detail { min-width: 22em; max-width: 40em; }
td.good { background: var(--good); } td.warn { background: var(--warn); } td.bad { background: var(--bad); }
details > summary { cursor: pointer; font-weight: 600; margin: 8px 0; }
footer { max-width: 1200px; margin: 40px auto; padding: 12px 20px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="meta">{{.Records}} records{{if .Source}} from <span class="mono">{{.Source}}</span>{{end}} · generated {{.Generated.Format "2006-01-02 15:04:05 MST"}}
· {{.Standins}} of {{.Records}} ran on offline stand-ins <span class="badge">stand-in</span>: images built here from Debian packages in place of the registry image they name; each record gives its libc and image digest.</p>
<nav>{{range .Labs}}<a href="#lab-{{.Lab}}">{{.Lab}}</a>{{end}}</nav>
{{if .Missing}}<div class="notes missing" id="missing"><strong>Not in these results:</strong> {{range $i, $m := .Missing}}{{if $i}}, {{end}}lab <b>{{$m}}</b>{{end}}. Run <span class="mono">baselab run LAB --out DIR</span> to add them.</div>{{end}}
</header>
<main>
{{range .Labs}}
<section id="lab-{{.Lab}}">
<h2>{{.Title}}</h2>
<p>{{.Intro}}</p>
<p class="meta">{{.Summary}}</p>
{{if .Notes}}<ul class="notes">{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Charts}}<div class="charts">
{{range .Charts}}<figure id="{{.ID}}">

{{.SVG}}
{{if .Legend}}<ul class="legend">{{range .Legend}}<li><span style="color:{{.Color}}">{{.Glyph}}</span>{{.Name}}</li>{{end}}</ul>{{end}}
<figcaption>{{.Caption}}</figcaption>
</figure>
{{end}}</div>{{end}}
{{range .Tables}}{{template "table" .}}{{end}}
<details{{if not .Tables}} open{{end}}><summary>All {{len .Records.Rows}} records of lab {{.Lab}}</summary>
{{template "table" .Records}}
</details>
</section>
{{end}}
</main>
<footer>baselab · every number above was measured on real containers; stand-ins are marked. This page needs no network access.</footer>
</body>
</html>
{{define "table"}}<div class="scroll"><table>
<caption>{{.Caption}}</caption>
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td{{if .Class}} class="{{.Class}}"{{end}}{{if .Title}} title="{{.Title}}"{{end}}>{{.Text}}{{if .Badge}}<span class="badge">{{.Badge}}</span>{{end}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>{{end}}`))
