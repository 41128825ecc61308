/* lookup NAME: getaddrinfo with no hints (AF_UNSPEC: an A and an AAAA
 * query, as Python, curl and Java make them), one line per address; exit 0
 * when the name resolved. The exercise 2 samples share it. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

int main(int argc, char **argv)
{
	struct addrinfo hints, *res, *p;
	char buf[INET6_ADDRSTRLEN];
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: lookup NAME\n");
		return 2;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(argv[1], NULL, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "lookup %s: %s\n", argv[1], gai_strerror(rc));
		return 1;
	}
	for (p = res; p; p = p->ai_next) {
		void *a = p->ai_family == AF_INET6
			? (void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr
			: (void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr;
		printf("%s\n", inet_ntop(p->ai_family, a, buf, sizeof buf));
	}
	freeaddrinfo(res);
	return 0;
}
