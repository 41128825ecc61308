package wheel

import "github.com/baselab/baselab/labs/lab"

// fields are the record fields the wheel lab writes beyond the common ones.
// A wheel cell writes the wheel's, a program cell the program's; the
// diagnostics' fields are written by the cells that list them.
var fields = []lab.Field{
	{Name: "base_image", Kind: lab.Str, Meaning: "ref@digest of the catalog base the cell's image was built on"},
	{Name: "install", Kind: lab.Str, Meaning: "how errtext (or the program) got into the image"},
	{Name: "expected", Kind: lab.Str, Meaning: "the outcome the lab expects of the cell"},
	{Name: "why", Kind: lab.Str, Meaning: "where the expected outcome comes from"},
	{Name: "mixed_outcomes", Kind: lab.List, Meaning: "runs per outcome, only when the runs of a cell differed"},
	{Name: "exit_code", Kind: lab.Num, Meaning: "the first run's exit code"},
	{Name: "signal", Kind: lab.Str, Meaning: "the signal that ended the first run (SIGSEGV); empty if none"},

	// What app.py printed, as far as it got.
	{Name: "python", Kind: lab.Str, Meaning: "the CPython version app.py ran on"},
	{Name: "dlopenflags", Kind: lab.Num, Meaning: "sys.getdlopenflags(): 2 is RTLD_NOW, every symbol bound at import"},
	{Name: "ext_suffixes", Kind: lab.List, Meaning: "the extension-module suffixes this CPython loads, in order"},
	{Name: "package_files", Kind: lab.List, Meaning: "the files of the installed errtext package"},
	{Name: "import_ms", Kind: lab.Num, Meaning: "time to import errtext and its extension, in ms (timed by app.py)"},
	{Name: "loaded", Kind: lab.Str, Meaning: "the extension file CPython loaded"},
	{Name: "built_for", Kind: lab.Str, Meaning: "the libc errtext says it was compiled against"},
	{Name: "describe", Kind: lab.Str, Meaning: "errtext.describe(2): the C library's message for ENOENT"},
	{Name: "label", Kind: lab.Str, Meaning: "errtext.label(2): the message formatted by the extension"},
	{Name: "call_ms", Kind: lab.Num, Meaning: "time of the describe and label calls, in ms"},

	// Read from the wheel and its extension's ELF.
	{Name: "wheel", Kind: lab.Str, Meaning: "the wheel's file name"},
	{Name: "wheel_tag", Kind: lab.Str, Meaning: "the Tag line of the wheel's WHEEL file"},
	{Name: "extension", Kind: lab.Str, Meaning: "the extension module's path inside the wheel"},
	{Name: "needed", Kind: lab.List, Meaning: "DT_NEEDED of the extension or program"},
	{Name: "imports", Kind: lab.List, Meaning: "the extension's undefined dynamic symbols, name@version"},
	{Name: "unresolved_on_musl", Kind: lab.List, Meaning: "imported symbols neither musl nor the musl CPython exports: what \"Error relocating\" would name"},
	{Name: "musl_strerror_r_is_xsi", Kind: lab.Bool, Meaning: "musl's strerror_r is its __xpg_strerror_r (one address): the XSI function a glibc build binds to"},

	// Read from the program's ELF and the cell's image.
	{Name: "file", Kind: lab.Str, Meaning: "file(1)'s line for the program"},
	{Name: "interpreter", Kind: lab.Str, Meaning: "the program's ELF interpreter (PT_INTERP)"},
	{Name: "interpreter_in_image", Kind: lab.Bool, Meaning: "the interpreter exists in the cell's image"},
	{Name: "program_in_image", Kind: lab.Bool, Meaning: "the program exists in the cell's image"},

	// Diagnostics: extra runs in the cell's image, first lines and how they ended.
	{Name: "pip_without_platform", Kind: lab.Str, Meaning: "pip on musl asked for errtext without --platform (does it pick a manylinux wheel?)"},
	{Name: "faulthandler", Kind: lab.Str, Meaning: "app.py under python3 -X faulthandler: where the crash happened"},
	{Name: "shell", Kind: lab.Str, Meaning: "the program run through /bin/sh: the shell's wording of ENOENT"},
	{Name: "musl_ldd", Kind: lab.Str, Meaning: "musl's loader listing the program's libraries (ldd)"},
	{Name: "via_musl_loader", Kind: lab.Str, Meaning: "the program run by musl's loader named explicitly"},
	{Name: "missing_file", Kind: lab.Str, Meaning: "a program that is really absent, for its different error"},
}
