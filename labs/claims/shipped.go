package claims

import (
	"embed"
	"path"
	"strings"
)

// shipped are the claims files that come with baselab, so a built binary
// needs no checkout: course.yaml (the course's own claims) and
// example-migration.yaml (a team guarding its move to alpine).
//
//go:embed course.yaml example-migration.yaml
var shipped embed.FS

// ShippedNames lists the shipped claims files.
func ShippedNames() []string { return []string{"course", "example-migration"} }

// Shipped returns a shipped claims file by name: "course", "course.yaml"
// or any path ending in one (claims/course.yaml), so the command in the
// docs works from any folder.
func Shipped(name string) ([]byte, string, bool) {
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(name, `\`, "/")), ".yaml")
	for _, n := range ShippedNames() {
		if n == base {
			b, err := shipped.ReadFile(n + ".yaml")
			return b, "labs/claims/" + n + ".yaml", err == nil
		}
	}
	return nil, "", false
}
