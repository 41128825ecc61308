package surface

// The surface lab's CVE counts: find trivy or grype with a database already
// on disk, run it on an image, and count its findings.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Scanner is a CVE scanner found on this machine with a local
// database, or the reason there is none.
type Scanner struct {
	Name, Path, DB string
	// Why says why there is no scanner; empty when there is one.
	Why string
}

// Scan is one image's CVE count, or why there is none.
type Scan struct {
	Count      *int
	BySeverity map[string]int
	// Scanner names what counted ("trivy /usr/bin/trivy"), or "none".
	Scanner string
	Why     string
}

// findScanner looks for trivy, then grype, each with a database
// already on disk: baselab never downloads one (no registry, and a count from
// a database fetched mid-run would not be reproducible).
func findScanner() Scanner {
	return FindScanner(exec.LookPath, os.Getenv, globFiles)
}

func globFiles(pattern string) []string {
	m, _ := filepath.Glob(pattern)
	return m
}

// FindScanner is findScanner with its lookups passed in, so
// that each branch can be tested on a machine that has neither tool.
func FindScanner(lookPath func(string) (string, error), getenv func(string) string, glob func(string) []string) Scanner {
	cache := getenv("XDG_CACHE_HOME")
	if cache == "" {
		if home := getenv("HOME"); home != "" {
			cache = filepath.Join(home, ".cache")
		}
	}
	var why []string
	if p, err := lookPath("trivy"); err == nil {
		dir := getenv("TRIVY_CACHE_DIR")
		if dir == "" {
			dir = filepath.Join(cache, "trivy")
		}
		if db := glob(filepath.Join(dir, "db", "trivy.db")); len(db) > 0 {
			return Scanner{Name: "trivy", Path: p, DB: db[0]}
		}
		why = append(why, fmt.Sprintf("trivy is at %s but has no database at %s", p, filepath.Join(dir, "db", "trivy.db")))
	}
	if p, err := lookPath("grype"); err == nil {
		dir := getenv("GRYPE_DB_CACHE_DIR")
		if dir == "" {
			dir = filepath.Join(cache, "grype", "db")
		}
		if db := glob(filepath.Join(dir, "*", "vulnerability.db")); len(db) > 0 {
			return Scanner{Name: "grype", Path: p, DB: db[len(db)-1]}
		}
		why = append(why, fmt.Sprintf("grype is at %s but has no database under %s", p, dir))
	}
	if len(why) == 0 {
		return Scanner{Why: "neither trivy nor grype is on PATH, and baselab does not guess a count"}
	}
	return Scanner{Why: strings.Join(why, "; ") + " (baselab never downloads a vulnerability database)"}
}

// Scan counts ref's CVEs, or says why it did not.
func (s Scanner) Scan(ctx context.Context, ref string) Scan {
	if s.Path == "" {
		return Scan{Scanner: "none", Why: s.Why}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	switch s.Name {
	case "trivy":
		cmd = exec.CommandContext(ctx, s.Path, "image", "--skip-db-update", "--skip-java-db-update", "--offline-scan",
			"--scanners", "vuln", "--format", "json", "--quiet", "--cache-dir", filepath.Dir(filepath.Dir(s.DB)), ref)
	case "grype":
		cmd = exec.CommandContext(ctx, s.Path, "docker:"+ref, "-o", "json", "-q")
		cmd.Env = append(os.Environ(), "GRYPE_DB_AUTO_UPDATE=false", "GRYPE_CHECK_FOR_APP_UPDATE=false",
			"GRYPE_DB_CACHE_DIR="+filepath.Dir(filepath.Dir(s.DB)))
	default:
		return Scan{Scanner: "none", Why: "unknown scanner " + s.Name}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	label := s.Name + " " + s.Path
	if err := cmd.Run(); err != nil {
		return Scan{Scanner: label, Why: fmt.Sprintf("%s failed: %v: %s", s.Name, err, strings.TrimSpace(tail(stderr.String(), 400)))}
	}
	n, sev, err := CountCVEs(s.Name, stdout.Bytes())
	if err != nil {
		return Scan{Scanner: label, Why: fmt.Sprintf("read %s output: %v", s.Name, err)}
	}
	return Scan{Count: &n, BySeverity: sev, Scanner: label}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// CountCVEs counts the findings in a scanner's JSON output ("trivy"
// or "grype"), in total and by severity (upper case).
func CountCVEs(tool string, out []byte) (int, map[string]int, error) {
	switch tool {
	case "trivy":
		return parseTrivy(out)
	case "grype":
		return parseGrype(out)
	}
	return 0, nil, fmt.Errorf("unknown scanner %q", tool)
}

// parseTrivy counts the findings of `trivy image --format json`: one
// per (package, vulnerability), the number trivy's own table totals.
func parseTrivy(b []byte) (int, map[string]int, error) {
	var doc struct {
		Results []struct {
			Vulnerabilities []struct {
				VulnerabilityID string
				Severity        string
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return 0, nil, err
	}
	n, sev := 0, map[string]int{}
	for _, r := range doc.Results {
		for _, v := range r.Vulnerabilities {
			n++
			sev[strings.ToUpper(v.Severity)]++
		}
	}
	return n, sev, nil
}

// parseGrype counts the matches of `grype -o json`.
func parseGrype(b []byte) (int, map[string]int, error) {
	var doc struct {
		Matches []struct {
			Vulnerability struct {
				ID       string `json:"id"`
				Severity string `json:"severity"`
			} `json:"vulnerability"`
		} `json:"matches"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return 0, nil, err
	}
	sev := map[string]int{}
	for _, m := range doc.Matches {
		sev[strings.ToUpper(m.Vulnerability.Severity)]++
	}
	return len(doc.Matches), sev, nil
}
