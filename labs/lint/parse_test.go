package lint

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/baselab/baselab/harness/record"
)

func TestMalformedDockerfileIsOneLineWithTheParsersLine(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"FROM with too many words", "ARG B=alpine:3.20\n\nFROM ${B} AS a AS b\n", 3, "FROM requires either one or three arguments"},
		{"unknown instruction names the nearest one", "FROM alpine:3.20\nCOPPY a /a\n", 2, "unknown instruction: COPPY (did you mean COPY?)"},
		{"COPY without a destination", "FROM alpine:3.20\nRUN true\nCOPY x\n", 3, "COPY requires at least two arguments"},
		{"unterminated heredoc", "FROM alpine:3.20\nRUN <<EOF\necho hi\n", 2, "unterminated heredoc"},
		{"instruction before FROM", "RUN true\nFROM alpine:3.20\n", 1, "no build stage in current context"},
		{"unknown COPY flag", "FROM alpine:3.20\nCOPY --mode=644 a /a\n", 2, "unknown flag: --mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Lint("Dockerfile", []byte(tc.src), Options{})
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if pe.Line != tc.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tc.line, pe)
			}
			if !strings.Contains(strings.ToLower(pe.Error()), strings.ToLower(tc.msg)) {
				t.Errorf("%q does not say %q", pe.Error(), tc.msg)
			}
			if strings.Contains(pe.Error(), "\n") || !strings.HasPrefix(pe.Error(), "Dockerfile:") {
				t.Errorf("%q: want one line, path:line: message", pe.Error())
			}
		})
	}
}

func TestEmptyDockerfileIsMalformed(t *testing.T) {
	_, err := Lint("Dockerfile", []byte("# only a comment\n"), Options{})
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v", err)
	}
}

func TestFromResolvesArgsStagesAndBuildArgs(t *testing.T) {
	src := `ARG PY=3.11
ARG RUNTIME
FROM python:${PY}-slim AS deps
FROM deps AS more
FROM ${RUNTIME}
`
	for _, tc := range []struct {
		name  string
		args  map[string]string
		bases []string
		libcs []Libc
	}{
		{"ARG defaults and a stage reference", nil,
			[]string{"python:3.11-slim", "stage deps", ""}, []Libc{Glibc, Glibc, Unknown}},
		{"--build-arg overrides a default and fills an empty ARG",
			map[string]string{"PY": "3.12", "RUNTIME": "python:3.11-alpine"},
			[]string{"python:3.12-slim", "stage deps", "python:3.11-alpine"}, []Libc{Glibc, Glibc, Musl}},
		{"a catalog key given as --build-arg is the catalog's image",
			map[string]string{"RUNTIME": "distroless-static"},
			[]string{"python:3.11-slim", "stage deps", "distroless-static"}, []Libc{Glibc, Glibc, NoLibc}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Lint("Dockerfile", []byte(src), Options{BuildArgs: tc.args})
			if err != nil {
				t.Fatal(err)
			}
			var bases []string
			var libcs []Libc
			for _, s := range res.Stages {
				bases, libcs = append(bases, s.Base), append(libcs, s.Libc)
			}
			if !slices.Equal(bases, tc.bases) || !slices.Equal(libcs, tc.libcs) {
				t.Errorf("bases %q libcs %q, want %q %q", bases, libcs, tc.bases, tc.libcs)
			}
			if tc.args == nil && (len(res.Notes) != 1 || !strings.Contains(res.Notes[0].Text, "--build-arg RUNTIME=")) {
				t.Errorf("an ARG without a value deserves a note naming the --build-arg: %+v", res.Notes)
			}
		})
	}
}

func TestCatalogKeyWrittenInTheFileIsTheRegistryImage(t *testing.T) {
	res, err := Lint("Dockerfile", []byte("FROM alpine\nUSER 1:1\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ruleIDs(res.Findings); !slices.Equal(got, []string{UntaggedBase}) {
		t.Errorf("FROM alpine: got %v, want [BL001]", got)
	}
}

func TestCopyFromAnIndexAndAnImage(t *testing.T) {
	src := `FROM python:3.11-slim
RUN pip install --target /deps requests
FROM python:3.11-alpine
COPY --from=0 /deps /usr/local/lib/python3.11/site-packages
COPY --from=node:20 /usr/local/bin/node /usr/local/bin/node
USER 1:1
`
	res, err := Lint("Dockerfile", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, f := range res.Findings {
		if f.Rule == GlibcIntoMusl {
			lines = append(lines, f.Line)
		}
	}
	if !slices.Equal(lines, []int{4, 5}) {
		t.Errorf("BL003 on lines %v, want [4 5]: %+v", lines, res.Findings)
	}
}

func TestTargetJudgesThatStage(t *testing.T) {
	src := "FROM golang:1.22 AS dev\nRUN go build -o /app .\nFROM scratch\nCOPY --from=dev /app /app\nUSER 1:1\n"
	res, err := Lint("Dockerfile", []byte(src), Options{Target: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	got := ruleIDs(res.Findings)
	if slices.Contains(got, CgoNoLibc) || !slices.Contains(got, BuildTools) || !slices.Contains(got, RunsAsRoot) {
		t.Errorf("--target dev: got %v, want the dev stage judged (BL005, BL011), not scratch", got)
	}
	if _, err := Lint("Dockerfile", []byte(src), Options{Target: "nope"}); err == nil {
		t.Error("--target of a stage that is not there must fail")
	}
}

func TestInlineIgnoreAndIgnoreFlag(t *testing.T) {
	res := lintFixture(t, "inline-ignore.Dockerfile", Options{})
	if got := ruleIDs(res.Findings); !slices.Equal(got, []string{NoDigest}) {
		t.Errorf("findings %v, want only BL002", got)
	}
	if got := ruleIDs(res.Ignored); !slices.Equal(got, []string{BuildTools, RunsAsRoot, Unpinned}) {
		t.Errorf("ignored %v", got)
	}
	res = lintFixture(t, "inline-ignore.Dockerfile", Options{Ignore: []string{NoDigest}})
	if len(res.Findings) != 0 {
		t.Errorf("--ignore BL002 left %v", ruleIDs(res.Findings))
	}
	if _, err := Lint("x", []byte("FROM alpine:3.20\n"), Options{Ignore: []string{"BL999"}}); err == nil {
		t.Error("an unknown rule id must be an error")
	}
}

// minimalELF is a real ELF64 executable header with one program header:
// PT_INTERP naming interp, or PT_LOAD (a static file) when interp is "".
func minimalELF(interp string) []byte {
	const ehsize, phsize = 64, 56
	b := make([]byte, ehsize+phsize)
	copy(b, "\x7fELF")
	b[4], b[5], b[6] = 2, 1, 1 // 64-bit, little-endian, version 1
	le := binary.LittleEndian
	le.PutUint16(b[16:], 2)  // ET_EXEC
	le.PutUint16(b[18:], 62) // EM_X86_64
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[32:], ehsize) // e_phoff
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[54:], phsize)
	le.PutUint16(b[56:], 1) // e_phnum
	ph := b[ehsize:]
	if interp == "" {
		le.PutUint32(ph[0:], 1) // PT_LOAD
		return b
	}
	data := append([]byte(interp), 0)
	le.PutUint32(ph[0:], 3) // PT_INTERP
	le.PutUint64(ph[8:], uint64(len(b)))
	le.PutUint64(ph[32:], uint64(len(data)))
	le.PutUint64(ph[40:], uint64(len(data)))
	return append(b, data...)
}

func TestContextProgramsAreRead(t *testing.T) {
	ctx := fstest.MapFS{
		"bin/dynamic": {Data: minimalELF("/lib64/ld-linux-x86-64.so.2")},
		"bin/static":  {Data: minimalELF("")},
		"resolv.conf": {Data: []byte("nameserver 192.0.2.53\noptions single-request-reopen\n")},
	}
	for _, tc := range []struct {
		name, src string
		want      string
		clean     bool
	}{
		{"a dynamic program on scratch", "FROM scratch\nCOPY bin/dynamic /app\nUSER 1:1\n", CgoNoLibc, false},
		{"a static program on scratch", "FROM scratch\nCOPY bin/static /app\nUSER 1:1\n", CgoNoLibc, true},
		{"a glibc program on alpine", "FROM alpine:3.20\nCOPY bin/dynamic /app\nUSER 1:1\n", GlibcIntoMusl, false},
		{"a glob takes both", "FROM alpine:3.20\nCOPY bin/* /usr/local/bin/\nUSER 1:1\n", GlibcIntoMusl, false},
		{"a copied resolv.conf", "FROM alpine:3.20\nCOPY resolv.conf /etc/resolv.conf\nUSER 1:1\n", DNSNoop, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Lint("Dockerfile", []byte(tc.src), Options{Context: ctx})
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(ruleIDs(res.Findings), tc.want); got == tc.clean {
				t.Errorf("%s: findings %v", tc.want, ruleIDs(res.Findings))
			}
		})
	}
	// Without the context there is nothing to read: a note says what would help.
	res, _ := Lint("Dockerfile", []byte("FROM scratch\nCOPY bin/dynamic /app\nUSER 1:1\n"), Options{})
	if slices.Contains(ruleIDs(res.Findings), CgoNoLibc) || len(res.Notes) == 0 || !strings.Contains(res.Notes[0].Text, "--context") {
		t.Errorf("without --context: findings %v notes %+v", ruleIDs(res.Findings), res.Notes)
	}
}

func TestFindingsCarryTheirRecords(t *testing.T) {
	rs := []record.Record{
		{Lab: "scratch", Variant: "dynamic-binary", Outcome: "exec-not-found", Evidence: "exec /app: no such file or directory", Image: "baselab/scratch@sha256:1", Standin: true},
		{Lab: "scratch", Variant: "dynamic-binary", Outcome: "exec-not-found", Evidence: "the later run"},
	}
	res := lintFixture(t, "cgo-go-into-scratch.Dockerfile", Options{Records: rs})
	for _, f := range res.Findings {
		switch f.Rule {
		case CgoNoLibc:
			if len(f.Records) != 1 || f.Records[0].Evidence != "the later run" {
				t.Errorf("BL006 records %+v, want the last run of scratch/dynamic-binary", f.Records)
			}
		case NoDigest:
			if len(f.Records) != 1 || !f.Records[0].Missing {
				t.Errorf("BL002 records %+v, want one marked missing", f.Records)
			}
		}
	}
	res = lintFixture(t, "cgo-go-into-scratch.Dockerfile", Options{})
	for _, f := range res.Findings {
		if f.Records != nil {
			t.Errorf("no results given, yet %s has records", f.Rule)
		}
	}
}

func TestDNSFindingsCiteTheCellOfTheirOption(t *testing.T) {
	res := lintFixture(t, "course-alpine-dns-fix.Dockerfile", Options{})
	for _, f := range res.Findings {
		if f.Rule == DNSNoop {
			want := []Ref{{"dns", "alpine/race/single-request/none"}, {"dns", "alpine/race/none/none"}}
			if !slices.Equal(f.Cites, want) {
				t.Errorf("cites %v, want %v", f.Cites, want)
			}
			return
		}
	}
	t.Error("no BL010")
}
