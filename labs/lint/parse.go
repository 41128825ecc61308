package lint

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// ParseError is a Dockerfile BuildKit refuses: its line and its message.
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// file is a Dockerfile parsed by BuildKit, with its stages resolved: bases
// after ARG substitution, stage references, every command expanded with the
// stage's ARG and ENV values.
type file struct {
	path   string
	stages []*stage
	// notes: FROM lines whose ARG has no value, and what would help.
	notes []Note
}

type stage struct {
	index         int
	name          string
	line, endLine int
	from          string // as written
	base          Base
	parent        *stage
	comments      []string
	cmds          []instructions.Command
	// env is ENV (inherited from a parent stage), args the stage's ARGs;
	// both as they stand after the stage's last command.
	env, args map[string]string
	facts     facts
}

// label names a stage for messages: its name, or its index.
func (s *stage) label() string {
	if s.name != "" {
		return s.name
	}
	return fmt.Sprintf("stage %d", s.index)
}

// chain is the stage and the stages it is built FROM, parent first.
func (s *stage) chain() []*stage {
	var out []*stage
	for p := s; p != nil; p = p.parent {
		out = append([]*stage{p}, out...)
	}
	return out
}

// parse reads a Dockerfile with BuildKit's parser and instructions
// package; buildArgs are --build-arg values.
func parse(name string, src []byte, buildArgs map[string]string) (*file, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, parseError(name, err)
	}
	// A non-nil linter: BuildKit reads "# check=" comments through it.
	bkStages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, parseError(name, err)
	}
	if len(bkStages) == 0 {
		return nil, &ParseError{Path: name, Msg: "no FROM: a Dockerfile needs at least one stage"}
	}
	lex := shell.NewLex(res.EscapeToken)
	f := &file{path: name}

	// Meta ARGs: declared before the first FROM, usable in FROM lines;
	// --build-arg overrides a default.
	meta := map[string]string{}
	metaSet := map[string]bool{}
	fromFlag := map[string]bool{} // the value came from --build-arg
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if v, ok := buildArgs[kv.Key]; ok {
				meta[kv.Key], metaSet[kv.Key], fromFlag[kv.Key] = v, true, true
			} else if kv.Value != nil {
				v, _ := expand(lex, *kv.Value, envs{meta})
				meta[kv.Key], metaSet[kv.Key] = v, true
			}
		}
	}
	byName := map[string]*stage{}
	for i, bs := range bkStages {
		st := &stage{index: i, name: bs.Name, from: bs.BaseName, comments: bs.Comments,
			env: map[string]string{}, args: map[string]string{}}
		st.line, st.endLine = span(bs.Location)
		ref, matched, unmatched := expandMatches(lex, bs.BaseName, envs{meta})
		if len(unmatched) > 0 {
			st.base = Base{Unset: unmatched}
			f.notes = append(f.notes, Note{Line: st.line, Text: fmt.Sprintf(
				"FROM %s: %s has no value, so this stage's base is not known; pass --build-arg %s=IMAGE to check it",
				bs.BaseName, strings.Join(unmatched, ", "), unmatched[0])})
		} else if p, ok := byName[strings.ToLower(ref)]; ok {
			st.parent = p
			st.base = p.base
			st.base.Stage = p.label()
			st.base.Pinnable = false
			for k, v := range p.env {
				st.env[k] = v
			}
		} else {
			// A catalog key is read as one only when --build-arg gave it
			// (as the labs pass their bases): written in the file,
			// "alpine" is the registry's image.
			viaFlag := false
			for _, k := range matched {
				viaFlag = viaFlag || fromFlag[k]
			}
			st.base = classify(ref, viaFlag)
		}
		for _, c := range bs.Commands {
			expandCommand(lex, st, c, buildArgs, meta, metaSet)
			st.cmds = append(st.cmds, c)
		}
		if st.name != "" {
			byName[st.name] = st
		}
		f.stages = append(f.stages, st)
	}
	return f, nil
}

// expandCommand substitutes ARG and ENV values into a command, the way the
// builder does before running it, and keeps the stage's ARG and ENV state.
func expandCommand(lex *shell.Lex, st *stage, c instructions.Command, buildArgs, meta map[string]string, metaSet map[string]bool) {
	get := envs{st.env, st.args}
	word := func(w string) (string, error) { return expand(lex, w, get) }
	switch c := c.(type) {
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			switch v, ok := buildArgs[kv.Key]; {
			case ok:
				st.args[kv.Key] = v
			case kv.Value != nil:
				st.args[kv.Key], _ = word(*kv.Value)
			case metaSet[kv.Key]:
				st.args[kv.Key] = meta[kv.Key]
			}
		}
		return
	case *instructions.EnvCommand:
		for i, kv := range c.Env {
			v, _ := word(kv.Value)
			c.Env[i].Value = v
			st.env[kv.Key] = v
		}
		return
	case *instructions.CopyCommand:
		c.From, _ = word(c.From)
	}
	if e, ok := c.(instructions.SupportsSingleWordExpansion); ok {
		_ = e.Expand(word) // an expansion error leaves the word as written
	}
}

func expand(lex *shell.Lex, w string, get shell.EnvGetter) (string, error) {
	r, err := lex.ProcessWordWithMatches(w, get)
	if err != nil {
		return w, err
	}
	return r.Result, nil
}

// expandMatches expands w and names the variables it used, with a value
// and without.
func expandMatches(lex *shell.Lex, w string, get shell.EnvGetter) (string, []string, []string) {
	r, err := lex.ProcessWordWithMatches(w, get)
	if err != nil {
		return w, nil, nil
	}
	keys := func(m map[string]struct{}) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	return r.Result, keys(r.Matched), keys(r.Unmatched)
}

// envs looks a name up in each map in turn (ENV before ARG, as the builder
// does).
type envs []map[string]string

func (e envs) Get(k string) (string, bool) {
	for _, m := range e {
		if v, ok := m[k]; ok {
			return v, true
		}
	}
	return "", false
}

func (e envs) Keys() []string {
	var out []string
	for _, m := range e {
		for k := range m {
			out = append(out, k)
		}
	}
	return out
}

// span is the first and last line of a BuildKit location.
func span(loc []parser.Range) (int, int) {
	if len(loc) == 0 {
		return 0, 0
	}
	return loc[0].Start.Line, loc[len(loc)-1].End.Line
}

// parseError turns BuildKit's error into one line with its line number.
func parseError(name string, err error) *ParseError {
	pe := &ParseError{Path: name, Msg: err.Error()}
	var le *parser.LocationError
	if errors.As(err, &le) {
		pe.Msg = le.Error()
		if len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
			pe.Line = le.Locations[0][0].Start.Line
		}
	}
	// BuildKit counts lines from 1, except for errors found before any
	// line was read.
	if pe.Line < 0 {
		pe.Line = 0
	}
	pe.Msg = strings.TrimSpace(strings.ReplaceAll(pe.Msg, "\n", " "))
	return pe
}
