// Package labs is the list of baselab's labs. Each lab is a package of its
// own in labs/<name>/ (its config, variants, cells, classifier, report
// section, fixtures, tests and README) that returns a lab.Lab from New;
// adding a lab is that folder and one line here.
package labs

import (
	"fmt"
	"sort"
	"strings"

	"github.com/baselab/baselab/harness/report"
	"github.com/baselab/baselab/labs/dns"
	"github.com/baselab/baselab/labs/lab"
	"github.com/baselab/baselab/labs/scratch"
	"github.com/baselab/baselab/labs/size"
	"github.com/baselab/baselab/labs/surface"
	"github.com/baselab/baselab/labs/wheel"
)

// All returns every lab, each with a fresh configuration at its defaults,
// in the order the report reads them.
func All() []lab.Lab {
	return []lab.Lab{dns.New(), wheel.New(), scratch.New(), size.New(), surface.New()}
}

// Get returns a lab by name, or an error listing the labs there are.
func Get(name string) (lab.Lab, error) {
	var names []string
	for _, l := range All() {
		if l.Name == name {
			return l, nil
		}
		names = append(names, l.Name)
	}
	sort.Strings(names)
	return lab.Lab{}, fmt.Errorf("unknown lab %q: the labs are %s", name, strings.Join(names, ", "))
}

// Reports are the labs' parts of the report, in reading order.
func Reports() []report.Lab {
	var out []report.Lab
	for _, l := range All() {
		out = append(out, l.ReportLab())
	}
	return out
}
