/* strlcpy is in glibc from 2.38: built against trixie's glibc 2.41, the
   program needs GLIBC_2.38, which bookworm's 2.36 does not define. */
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
	char buf[8];
	strlcpy(buf, argc > 1 ? argv[1] : "hello", sizeof buf);
	puts(buf);
	return 0;
}
