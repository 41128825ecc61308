package recommend

import (
	"fmt"
	"io"
	"strings"

	"github.com/baselab/baselab/labs/claims"
)

// Course loads the shipped course claims, the evidence the tree cites.
func Course() (*claims.File, error) { return claims.Load("course") }

// Write prints a recommendation: the image, each reason and caveat with the
// claim and lab cell behind it — and, when verdicts are given (from a
// results folder), what that cell measured.
func Write(w io.Writer, r Recommendation, course *claims.File, vs []claims.Verdict) {
	byID := map[string]claims.Claim{}
	verdict := map[string]claims.Verdict{}
	for i, c := range course.Claims {
		byID[c.ID] = c
		if vs != nil {
			verdict[c.ID] = vs[i]
		}
	}
	cite := func(ids []string) string {
		var parts []string
		for _, id := range ids {
			c, ok := byID[id]
			if !ok {
				parts = append(parts, "claim "+id+" (not in the course file)")
				continue
			}
			s := fmt.Sprintf("%s/%s · claim %s", c.Lab, c.Variant, id)
			if v, ok := verdict[id]; ok {
				s += fmt.Sprintf(": %s, %s", strings.ToUpper(string(v.Status)), v.Line())
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "\n       ")
	}
	fmt.Fprintf(w, "use: %s\n", r.Image)
	fmt.Fprintf(w, "     (catalog key %s stands for it in the labs)\n\n", r.Base)
	fmt.Fprintln(w, "why:")
	for i, x := range r.Reasons {
		fmt.Fprintf(w, "  %d. %s\n       [%s]\n", i+1, x.Text, cite(x.Evidence))
	}
	if len(r.Caveats) > 0 {
		fmt.Fprintln(w, "\nwatch out:")
		for _, x := range r.Caveats {
			fmt.Fprintf(w, "  - %s\n       [%s]\n", x.Text, cite(x.Evidence))
		}
	}
	fmt.Fprintf(w, "\npath: %s\n", strings.Join(r.Path, " → "))
}
