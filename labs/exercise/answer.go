package exercise

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// AnswerFile is the name of the answer file in every hand-in folder.
const AnswerFile = "answer.yaml"

// readAnswer decodes dir/answer.yaml into v strictly: an unknown key is a
// typo the learner should hear about, not a field silently ignored.
func readAnswer(dir string, v any) error {
	p := filepath.Join(dir, AnswerFile)
	b, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: no answer file: write one (`baselab exercise show N` says what goes in it)", p)
		}
		return fmt.Errorf("read %s: %w", p, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: empty answer file", p)
		}
		return fmt.Errorf("%s: %s", p, oneLine(err.Error()))
	}
	return nil
}

// folder checks that a hand-in path is a folder.
func folder(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("hand-in %s: %w", dir, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("hand-in %s is not a folder: hand in the folder that holds %s", dir, AnswerFile)
	}
	return nil
}
