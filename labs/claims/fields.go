package claims

import (
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/images"
	"github.com/baselab/baselab/labs"
	"github.com/baselab/baselab/labs/lab"
)

// fieldKind says what a lab's field holds, from the lab's own declaration
// (lab.Lab.Fields); ok is false for a field the lab does not write. A lab
// that does not exist accepts only the common fields.
func fieldKind(name, field string) (lab.Kind, bool) {
	l, err := labs.Get(name)
	if err != nil {
		l = lab.Lab{Name: name}
	}
	return l.FieldKind(field)
}

// fieldProperty is the image property a lab's field measures, when a
// stand-in may not reproduce it ("" otherwise).
func fieldProperty(name, field string) images.Property {
	l, err := labs.Get(name)
	if err != nil {
		return ""
	}
	for _, f := range l.Fields {
		if f.Name == field {
			return f.Measures
		}
	}
	return ""
}

// fieldsOf lists a lab's numeric fields for an error message.
func fieldsOf(name string) string {
	var out []string
	if l, err := labs.Get(name); err == nil {
		for _, f := range l.Fields {
			if f.Kind == lab.Num || f.Kind == lab.List {
				out = append(out, f.Name)
			}
		}
	}
	sort.Strings(out)
	s := "p50_ms, p95_ms, max_ms, tries, ok, failed, outcome"
	if len(out) > 0 {
		s += ", " + strings.Join(out, ", ")
	}
	return s
}
