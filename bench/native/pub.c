// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// Native publisher: N pre-framed PUBs of SIZE bytes in ~128 KiB writes, then
// a PING, and waits for the PONG (the server has read everything).
// usage: pub PORT SUBJECT N SIZE
#include "common.h"

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  int s = dial(atoi(argv[1]));
  long n = atol(argv[3]);
  int size = atoi(argv[4]);
  const char *hello = "CONNECT {\"verbose\":false}\r\n";
  write_all(s, hello, strlen(hello));
  char head[512];
  int hl = snprintf(head, sizeof head, "PUB %s %d\r\n", argv[2], size);
  int one = hl + size + 2;
  int per = 128 * 1024 / one;
  if (per < 1) per = 1;
  char *batch = malloc((size_t)per * (size_t)one);
  for (int i = 0; i < per; i++) {
    char *f = batch + (size_t)i * (size_t)one;
    memcpy(f, head, (size_t)hl);
    memset(f + hl, 'a', (size_t)size);
    memcpy(f + hl + size, "\r\n", 2);
  }
  for (long sent = 0; sent < n;) {
    long k = n - sent < per ? n - sent : per;
    write_all(s, batch, (size_t)(k * one));
    sent += k;
  }
  write_all(s, "PING\r\n", 6);
  char in[4096];
  for (;;) { // INFO comes first; wait for the PONG
    ssize_t r = read(s, in, sizeof in - 1);
    if (r <= 0) return 1;
    in[r] = 0;
    if (strstr(in, "PONG") != NULL) break;
  }
  return 0;
}
