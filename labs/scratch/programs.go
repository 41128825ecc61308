package scratch

import (
	"context"
	"errors"
	"fmt"

	"github.com/baselab/baselab/harness/elf"
	"github.com/baselab/baselab/harness/gobuild"
	"github.com/baselab/baselab/labs/lab"
)

// program is a host build of the program under test, with what its ELF
// header asks of the image it runs in.
type program struct {
	kind Binary
	bin  []byte
	elf  elf.File
}

var buildOptions = []struct {
	kind Binary
	opts gobuild.Options
}{
	{StaticBinary, gobuild.Options{}},
	{CgoBinary, gobuild.Options{CGO: true}},
	{TzdataBinary, gobuild.Options{Tags: []string{"timetzdata"}}},
}

// buildPrograms compiles the program three ways and the server, side by side.
func buildPrograms(ctx context.Context) (map[Binary]program, []byte, error) {
	progs := make([]program, len(buildOptions))
	var srv []byte
	errs := make([]error, len(buildOptions)+1)
	lab.InParallel(len(buildOptions)+1, len(buildOptions)+1, func(i int) {
		if i == len(buildOptions) {
			var err error
			if srv, err = gobuild.Source(ctx, sources, "programs/httpsd", gobuild.Options{}); err != nil {
				errs[i] = fmt.Errorf("build the HTTPS server: %w", err)
			}
			return
		}
		progs[i], errs[i] = buildProgram(ctx, buildOptions[i].kind, buildOptions[i].opts)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	bins := map[Binary]program{}
	for _, p := range progs {
		bins[p.kind] = p
	}
	// What each step claims of its binary must hold, or the lab shows nothing.
	if !bins[StaticBinary].elf.Static() || !bins[TzdataBinary].elf.Static() {
		return nil, nil, fmt.Errorf("the CGO_ENABLED=0 builds came out dynamically linked (%s)", bins[StaticBinary].elf.Describe())
	}
	if bins[CgoBinary].elf.Static() {
		return nil, nil, fmt.Errorf("the cgo build came out static: the exec step would show nothing")
	}
	return bins, srv, nil
}

func buildProgram(ctx context.Context, kind Binary, opts gobuild.Options) (program, error) {
	b, err := gobuild.Source(ctx, sources, "programs/app", opts)
	if err != nil {
		return program{}, fmt.Errorf("build the program (%s): %w", kind, err)
	}
	f, err := elf.Parse(b)
	if err != nil {
		return program{}, fmt.Errorf("the %s build: %w", kind, err)
	}
	return program{kind: kind, bin: b, elf: f}, nil
}
