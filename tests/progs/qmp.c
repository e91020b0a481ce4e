// SPDX-License-Identifier: GPL-2.0
/*
 * Send one QMP command to a QEMU monitor socket and print the answer.
 *
 * usage: qmp SOCKET COMMAND      e.g. qmp /tmp/l2-g1.qmp system_reset
 *        qmp SOCKET '{"execute": ...}'   a whole command, sent as given
 * Exits 0 if QEMU answered {"return": ...}.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Read until a line holding "return" or "error" arrives (or EOF). */
static int answer(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0) {
		n += r;
		buf[n] = 0;
		if (strstr(buf, "\"return\"") || strstr(buf, "\"error\""))
			return strstr(buf, "\"return\"") ? 0 : 1;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[16384], cmd[512];
	int fd, r;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET COMMAND\n", argv[0]);
		return 2;
	}
	if (strlen(argv[2]) > sizeof(cmd) - 32) {
		fprintf(stderr, "%s: command longer than %zu bytes\n", argv[0], sizeof(cmd) - 32);
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strncpy(sa.sun_path, argv[1], sizeof(sa.sun_path) - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror(argv[1]);
		return 1;
	}
	r = read(fd, buf, sizeof(buf) - 1);	/* greeting */
	if (r <= 0) {
		fprintf(stderr, "no QMP greeting\n");
		return 1;
	}
	dprintf(fd, "{\"execute\":\"qmp_capabilities\"}\n");
	if (answer(fd, buf, sizeof(buf))) {
		fprintf(stderr, "qmp_capabilities failed: %s\n", buf);
		return 1;
	}
	if (argv[2][0] == '{')
		snprintf(cmd, sizeof(cmd), "%s\n", argv[2]);
	else
		snprintf(cmd, sizeof(cmd), "{\"execute\":\"%s\"}\n", argv[2]);
	if (write(fd, cmd, strlen(cmd)) < 0)
		return 1;
	r = answer(fd, buf, sizeof(buf));
	printf("%s", buf);
	close(fd);
	return r;
}
