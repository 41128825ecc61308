package wheel

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// sources holds the lab's own inputs: errtext/ (the extension's sdist),
// hello/ (the program for the exec cells), app/ (what the cells run),
// build/ (the image that builds the wheels and programs) and dockerfiles/
// (one per way of installing them). "all:" because Python names files with
// a leading underscore (_errtext.c, __init__.py), which a plain pattern skips.
//
//go:embed all:errtext hello app build dockerfiles
var sources embed.FS

// buildContext gathers a build context: each key is a path in the context,
// each value the file or folder of sources that goes there.
func buildContext(m map[string]string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for dst, src := range m {
		err := fs.WalkDir(sources, src, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(sources, name)
			files[path.Join(dst, strings.TrimPrefix(name, src))] = b
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("read fixture %s: %w", src, err)
		}
	}
	return files, nil
}

func dockerfile(name string) (string, error) {
	b, err := fs.ReadFile(sources, name)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return string(b), nil
}
