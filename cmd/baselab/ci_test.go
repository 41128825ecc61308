package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The CI examples beside the claims examples must parse as YAML and name
// only baselab commands and flags that exist: a renamed flag would break
// every team that copied the file.
func TestCIExamplesParseAndNameRealCommands(t *testing.T) {
	root := newRootCmd()
	for _, c := range []struct {
		file  string
		lines func(doc map[string]any) []string
	}{
		{"example-ci-github.yml", func(doc map[string]any) []string {
			var out []string
			for _, job := range mapOf(doc["jobs"]) {
				for _, step := range listOf(mapOf(job)["steps"]) {
					if run, ok := mapOf(step)["run"].(string); ok {
						out = append(out, strings.Split(run, "\n")...)
					}
				}
			}
			return out
		}},
		{"example-ci-gitlab.yml", func(doc map[string]any) []string {
			var out []string
			for _, job := range doc {
				for _, key := range []string{"before_script", "script"} {
					for _, l := range listOf(mapOf(job)[key]) {
						out = append(out, l.(string))
					}
				}
			}
			return out
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "labs", "claims", c.file))
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, yaml.Unmarshal(b, &doc))
			seen := map[string]bool{}
			for _, line := range c.lines(doc) {
				for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == ';' || r == '|' || r == '&' }) {
					words := strings.Fields(part)
					if len(words) < 2 || words[0] != "baselab" {
						continue
					}
					cmd, rest, err := root.Find(words[1:])
					if !assert.NoError(t, err, line) || !assert.NotEqual(t, root, cmd, "%q names no baselab command", line) {
						continue
					}
					seen[cmd.Name()] = true
					checkFlags(t, cmd, rest, line)
				}
			}
			for _, want := range []string{"compare", "claims"} {
				assert.True(t, seen[want], "%s runs baselab %s", c.file, want)
			}
		})
	}
}

func checkFlags(t *testing.T, cmd *cobra.Command, words []string, line string) {
	t.Helper()
	for _, w := range words {
		if name, ok := strings.CutPrefix(w, "--"); ok {
			name, _, _ = strings.Cut(name, "=")
			assert.NotNil(t, cmd.Flags().Lookup(name), "%q: baselab %s has no --%s", line, cmd.Name(), name)
		}
	}
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}
