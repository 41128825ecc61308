/* A glibc-built shared object with the wheel lab's two faults: fortified
   snprintf (__snprintf_chk, which musl lacks) and GNU strerror_r (char *,
   where musl's returns int). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
int describe(int err, char *out, size_t n) {
	char buf[128];
	char *msg = strerror_r(err, buf, sizeof buf);
	return snprintf(out, n, "error %d: %s", err, msg);
}
