// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
// Native pull consumer, pulling as nats-rt's consume({ max_messages: BATCH })
// does: one pull of BATCH, then one topping it up to BATCH whenever a quarter
// of it has arrived. Acks every message with a pre-framed `PUB <reply> 0`,
// the acks of one read in one write. Prints the rate over N messages.
// usage: consume PORT STREAM CONSUMER N BATCH
#include "common.h"

static char out[4 << 20];
static size_t olen = 0;

static void put(const char *b, size_t n) {
  memcpy(out + olen, b, n);
  olen += n;
}

static void pull(const char *stream, const char *consumer, long batch) {
  char body[64], frame[512];
  int bl = snprintf(body, sizeof body, "{\"batch\":%ld}", batch);
  int fl = snprintf(frame, sizeof frame, "PUB $JS.API.CONSUMER.MSG.NEXT.%s.%s _INBOX.ceiling %d\r\n%s\r\n",
                    stream, consumer, bl, body);
  put(frame, (size_t)fl);
}

int main(int argc, char **argv) {
  if (argc != 6) return 2;
  int s = dial(atoi(argv[1]));
  const char *stream = argv[2], *consumer = argv[3];
  long n = atol(argv[4]), batch = atol(argv[5]);
  const char *hello = "CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB _INBOX.ceiling 1\r\n";
  put(hello, strlen(hello));
  pull(stream, consumer, batch);
  long outstanding = batch;
  static char buf[64 * 1024], line[64 * 1024];
  size_t ll = 0;
  long need = 0, msgs = 0;
  char reply[512];
  int rl = 0;
  double t0 = now_ms();
  while (msgs < n) {
    write_all(s, out, olen);
    olen = 0;
    ssize_t r = read(s, buf, sizeof buf);
    if (r <= 0) {
      fprintf(stderr, "consume: connection ended after %ld messages\n", msgs);
      return 1;
    }
    for (size_t i = 0; i < (size_t)r;) {
      if (need > 0) {
        size_t k = (size_t)r - i;
        if (k > (size_t)need) k = (size_t)need;
        need -= (long)k;
        i += k;
        if (need == 0 && rl > 0) { // a message: ack it
          char ack[600];
          int al = snprintf(ack, sizeof ack, "PUB %.*s 0\r\n\r\n", rl, reply);
          put(ack, (size_t)al);
          msgs++;
          if (--outstanding <= batch * 3 / 4 && msgs + outstanding < n) {
            pull(stream, consumer, batch - outstanding);
            outstanding = batch;
          }
        }
        continue;
      }
      char ch = buf[i++];
      if (ll < sizeof line) line[ll++] = ch;
      if (ch != '\n') continue;
      line[ll - 2] = 0;
      char *tok[8];
      int nt = 0;
      for (char *p = line; nt < 8 && *p;) { // split on spaces
        while (*p == ' ') p++;
        if (!*p) break;
        tok[nt++] = p;
        while (*p && *p != ' ') p++;
        if (*p) *p++ = 0;
      }
      if (nt >= 4 && strcmp(tok[0], "MSG") == 0) { // MSG subject sid [reply] size
        need = atol(tok[nt - 1]) + 2;
        rl = nt == 5 ? (int)strlen(tok[3]) : 0;
        if (rl > 0) memcpy(reply, tok[3], (size_t)rl);
      } else if (nt >= 4 && strcmp(tok[0], "HMSG") == 0) { // a status: skip it
        need = atol(tok[nt - 1]) + 2;
        rl = 0;
      } else if (nt >= 1 && strcmp(tok[0], "PING") == 0) {
        put("PONG\r\n", 6);
      } else if (nt >= 1 && strcmp(tok[0], "-ERR") == 0) {
        fprintf(stderr, "consume: %s\n", line);
        return 1;
      }
      ll = 0;
    }
  }
  write_all(s, out, olen);
  double ms = now_ms() - t0;
  printf("%.0f\n", (double)n / ms * 1000.0);
  usleep(100 * 1000); // let the last acks reach the server before closing
  return 0;
}
