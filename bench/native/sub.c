// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// Native subscriber: subscribes to SUBJECT, finds the MSG frames and skips
// their payloads, prints the rate from the first to the N-th message.
// usage: sub PORT SUBJECT N
#include "common.h"

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  int s = dial(atoi(argv[1]));
  long n = atol(argv[3]);
  char hello[512];
  int hl = snprintf(hello, sizeof hello,
                    "CONNECT {\"verbose\":false}\r\nSUB %s 1\r\nPING\r\n", argv[2]);
  write_all(s, hello, (size_t)hl);
  static char buf[64 * 1024], line[64 * 1024];
  size_t ll = 0;
  long need = 0, msgs = 0;
  double t0 = 0;
  while (msgs < n) {
    ssize_t r = read(s, buf, sizeof buf);
    if (r <= 0) {
      fprintf(stderr, "sub: connection ended after %ld messages\n", msgs);
      return 1;
    }
    for (size_t i = 0; i < (size_t)r;) {
      if (need > 0) { // inside a payload (and its CRLF)
        size_t k = (size_t)r - i;
        if (k > (size_t)need) k = (size_t)need;
        need -= (long)k;
        i += k;
        if (need == 0 && ++msgs == 1) t0 = now_ms();
        continue;
      }
      char ch = buf[i++];
      if (ll < sizeof line) line[ll++] = ch;
      if (ch != '\n') continue;
      if (ll > 4 && memcmp(line, "MSG ", 4) == 0) {
        line[ll - 2] = 0; // the size is the last token
        need = atol(strrchr(line, ' ') + 1) + 2;
      } else if (ll >= 4 && memcmp(line, "PING", 4) == 0) {
        write_all(s, "PONG\r\n", 6);
      } else if (ll >= 4 && memcmp(line, "PONG", 4) == 0) {
        fprintf(stderr, "ready\n"); // the SUB is registered
      } else if (ll >= 4 && memcmp(line, "-ERR", 4) == 0) {
        fprintf(stderr, "sub: %.*s", (int)ll, line);
        return 1;
      }
      ll = 0;
    }
  }
  double ms = now_ms() - t0;
  printf("%.0f\n", (double)(n - 1) / ms * 1000.0);
  return 0;
}
