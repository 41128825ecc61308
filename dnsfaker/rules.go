package dnsfaker

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/miekg/dns"
)

// Rule gives the queries of the names that Name matches a Fault.
//
// Name is one of
//
//	foo.test     exactly that name (case-insensitive, trailing dot optional)
//	*.race.test  any name strictly below race.test, at any depth, but not race.test itself
//	*            every name
type Rule struct {
	Name  string
	Fault Fault
}

// String returns the rule as a rules file line.
func (r Rule) String() string { return normalizePattern(r.Name) + " " + r.Fault.String() }

// Config is what a Server does: the first rule whose Name matches a query
// decides its fault, and Default applies when none does.
type Config struct {
	Default Fault
	Rules   []Rule
}

// Validate checks every rule's Name pattern. ParseRules only returns valid
// rules; Validate is for rules built in code.
func (c Config) Validate() error {
	for i, r := range c.Rules {
		if err := checkPattern(r.Name); err != nil {
			return fmt.Errorf("check rule %d: %w", i+1, err)
		}
	}
	return nil
}

// String renders the config as a rules file, the default as a comment.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# default: %s\n", c.Default)
	for _, r := range c.Rules {
		b.WriteString(r.String() + "\n")
	}
	return b.String()
}

// RuleError is a rules file error with the line it is on.
type RuleError struct {
	File string // empty when read from a stream
	Line int
	Err  error
}

func (e *RuleError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *RuleError) Unwrap() error { return e.Err }

// ParseRules reads a rules file: one "<name-pattern> <fault>" per line, in
// the order they are tried; blank lines and everything after '#' are
// ignored. Errors are *RuleError with the line number.
func ParseRules(r io.Reader) ([]Rule, error) {
	var rules []Rule
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 2 {
			return nil, &RuleError{Line: n, Err: fmt.Errorf("want \"<name-pattern> <fault>\", got %q", strings.TrimSpace(line))}
		}
		if err := checkPattern(fields[0]); err != nil {
			return nil, &RuleError{Line: n, Err: err}
		}
		f, err := ParseFault(fields[1])
		if err != nil {
			return nil, &RuleError{Line: n, Err: err}
		}
		name := normalizePattern(fields[0])
		if first, dup := seen[name]; dup {
			// A repeated pattern can never match: first match wins.
			return nil, &RuleError{Line: n, Err: fmt.Errorf("pattern %q already set on line %d", fields[0], first)}
		}
		seen[name] = n
		rules = append(rules, Rule{Name: name, Fault: f})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return rules, nil
}

// ReadRulesFile parses the rules file at path; errors read "path:line: ...".
func ReadRulesFile(path string) ([]Rule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError already names the file
	}
	defer f.Close()
	rules, err := ParseRules(f)
	var re *RuleError
	if errors.As(err, &re) {
		re.File = path
	}
	return rules, err
}

// checkPattern accepts "*", "*.<domain>" and "<domain>".
func checkPattern(p string) error {
	if p == "*" {
		return nil
	}
	rest := strings.TrimPrefix(p, "*.")
	if strings.Contains(rest, "*") {
		return fmt.Errorf("bad name pattern %q: '*' only as a whole first label, as in *.race.test", p)
	}
	if rest == "" || rest == "." {
		return fmt.Errorf("bad name pattern %q: use * for every name", p)
	}
	if _, ok := dns.IsDomainName(rest); !ok {
		return fmt.Errorf("bad name pattern %q: not a domain name", p)
	}
	return nil
}

// normalizePattern makes a pattern compare with query names, which the
// server lowercases and which always end in a dot.
func normalizePattern(p string) string {
	if p == "*" {
		return p
	}
	return dns.Fqdn(strings.ToLower(p))
}

// normalizeName is the form of a name in the log and in rules.
func normalizeName(name string) string {
	return dns.Fqdn(strings.ToLower(name))
}
