/* The receiving end of the file -> socket benchmark: listens on 127.0.0.1 (a free port,
 * printed first), reads one connection to EOF through a 1 MiB buffer, closes it (which
 * tells the sender that everything arrived) and prints the byte count. The same sink for
 * every row, so that only the sender differs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  socklen_t len = sizeof a;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 || getsockname(l, (struct sockaddr *)&a, &len) < 0) return 1;
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  int c = accept(l, NULL, NULL);
  if (c < 0) return 1;
  char *buf = malloc(1 << 20);
  long long total = 0;
  for (ssize_t n; (n = read(c, buf, 1 << 20)) > 0;) total += n;
  close(c);
  printf("%lld\n", total);
  return 0;
}
