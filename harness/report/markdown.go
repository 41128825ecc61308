package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the report's tables as Markdown; the charts are in
// report.html, and each is named where it would be.
func (r *Report) WriteMarkdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# %s\n\n", r.Title)
	src := ""
	if r.Source != "" {
		src = " from `" + r.Source + "`"
	}
	fmt.Fprintf(b, "%d records%s, generated %s. %d of them ran on offline stand-ins (marked **stand-in**: built here from Debian packages in place of the registry image they name; each record gives its libc and image digest). Charts: `report.html`.\n\n",
		r.Records, src, r.Generated.Format("2006-01-02 15:04:05 MST"), r.Standins)
	if len(r.Missing) > 0 {
		fmt.Fprintf(b, "**Not in these results:** lab %s. Run `baselab run LAB --out DIR` to add them.\n\n", strings.Join(r.Missing, ", lab "))
	}
	for _, s := range r.Labs {
		fmt.Fprintf(b, "## %s\n\n%s\n\n%s\n\n", s.Title, s.Intro, s.Summary)
		for _, n := range s.Notes {
			fmt.Fprintf(b, "- %s\n", n)
		}
		if len(s.Notes) > 0 {
			b.WriteString("\n")
		}
		for _, c := range s.Charts {
			fmt.Fprintf(b, "*Chart in report.html: %s — %s*\n\n", c.Title, c.Caption)
		}
		for _, t := range s.Tables {
			mdTable(b, t)
		}
		mdTable(b, s.Records)
	}
	return b.Flush()
}

func mdTable(b *bufio.Writer, t Table) {
	if t.Caption != "" {
		fmt.Fprintf(b, "**%s**\n\n", mdEscape(t.Caption))
	}
	b.WriteString("|")
	for _, h := range t.Head {
		fmt.Fprintf(b, " %s |", mdEscape(h))
	}
	b.WriteString("\n|")
	for range t.Head {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		b.WriteString("|")
		for _, c := range row {
			txt := mdEscape(c.Text)
			if strings.Contains(c.Class, "mono") && txt != "—" {
				txt = "`" + strings.ReplaceAll(c.Text, "`", "'") + "`"
			}
			if c.Badge != "" {
				txt += " **" + c.Badge + "**"
			}
			fmt.Fprintf(b, " %s |", txt)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "*", `\*`, "<", "&lt;", ">", "&gt;")

func mdEscape(s string) string { return mdEscaper.Replace(s) }
