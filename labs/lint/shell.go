package lint

import (
	"regexp"
	"strings"
)

// A RUN line is a shell script; the rules read it as simple commands. This
// is not a shell: it splits at && || ; | & and newlines outside quotes,
// removes the quotes, and keeps the leading NAME=value assignments apart.
// Anything it cannot follow (functions, loops, eval) it reads as words,
// which at worst hides a finding.

// simpleCmd is one command of a script: its words and the assignments
// written before it (CGO_ENABLED=0 go build).
type simpleCmd struct {
	argv    []string
	assigns map[string]string
	text    string // the command as written, quotes removed
}

// splitScript cuts a script into simple commands.
func splitScript(script string) []simpleCmd {
	var out []simpleCmd
	var words []string
	var cur strings.Builder
	inWord := false
	flushWord := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	flushCmd := func() {
		flushWord()
		if len(words) > 0 {
			out = append(out, newSimpleCmd(words))
		}
		words = nil
	}
	rs := []rune(script)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\' && i+1 < len(rs):
			i++
			if rs[i] != '\n' {
				cur.WriteRune(rs[i])
				inWord = true
			}
		case r == '\'':
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			cur.WriteString(string(rs[i+1 : min(j, len(rs))]))
			inWord, i = true, j
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				j++
			}
			cur.WriteString(strings.ReplaceAll(string(rs[i+1:min(j, len(rs))]), `\"`, `"`))
			inWord, i = true, j
		case r == '#' && !inWord:
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
			flushCmd()
		case r == '\n' || r == ';' || r == '&' || r == '|' || r == '(' || r == ')' || r == '`':
			flushCmd()
		case r == ' ' || r == '\t' || r == '\r':
			flushWord()
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	flushCmd()
	return out
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// wrappers run the command that follows them.
var wrappers = set("env", "sudo", "exec", "command", "nohup", "time", "doas")

func newSimpleCmd(words []string) simpleCmd {
	c := simpleCmd{assigns: map[string]string{}, text: strings.Join(words, " ")}
	i := 0
	for i < len(words) {
		w := words[i]
		switch {
		case assignment.MatchString(w):
			k, v, _ := strings.Cut(w, "=")
			c.assigns[k] = v
		case wrappers[w]:
		case strings.HasPrefix(w, "-") && i > 0 && wrappers[words[i-1]]:
			// env -i, sudo -E: a wrapper's own flags
		default:
			c.argv = words[i:]
			return c
		}
		i++
	}
	return c
}

// name is the command's program, without its folder.
func (c simpleCmd) name() string {
	if len(c.argv) == 0 {
		return ""
	}
	n := c.argv[0]
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	return n
}

// args parses the words after skip words as flags and operands. valued
// names the flags that take a value as the next word; a flag written
// --flag=value carries its own.
func args(words []string, valued map[string]bool) (flags map[string][]string, operands []string) {
	flags = map[string][]string{}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") || w == "-" {
			operands = append(operands, w)
			continue
		}
		name, val, hasVal := strings.Cut(w, "=")
		if !hasVal && valued[name] && i+1 < len(words) {
			i++
			val = words[i]
		}
		flags[name] = append(flags[name], val)
	}
	return flags, operands
}

var pipName = regexp.MustCompile(`^pip[0-9.]*$`)
var pythonName = regexp.MustCompile(`^python[0-9.]*$`)

// pipArgs returns the words after "install" when c is a pip command
// (pip install, pip3 install, python3 -m pip install) and its subcommand.
func (c simpleCmd) pipArgs() (sub string, rest []string, ok bool) {
	a := c.argv
	switch {
	case len(a) >= 2 && pipName.MatchString(c.name()):
		return a[1], a[2:], true
	case len(a) >= 4 && pythonName.MatchString(c.name()) && a[1] == "-m" && pipName.MatchString(a[2]):
		return a[3], a[4:], true
	}
	return "", nil, false
}
