// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// Shared bits of the native ceiling clients (see ceiling.ts): a loopback TCP
// connection, a monotonic clock, writing a whole buffer.
#ifndef NATS_RT_CEILING_COMMON_H
#define NATS_RT_CEILING_COMMON_H
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static inline int dial(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("connect");
    exit(1);
  }
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return s;
}

static inline void write_all(int s, const char *b, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(s, b + off, len - off);
    if (w <= 0) {
      perror("write");
      exit(1);
    }
    off += (size_t)w;
  }
}

#endif
