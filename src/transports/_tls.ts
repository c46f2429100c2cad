// Copyright 2026 The nats-rt Authors. Licensed under the Apache License 2.0.
/**
 * Private: turns the TLS failures of each runtime (Node/Bun OpenSSL codes,
 * Deno's rustls messages, workerd's BoringSSL text) into one
 * {@link TlsError} whose `reason` says which setting to fix.
 *
 * @module
 */
import { TlsError } from "../errors.ts";
import type { TlsOptions } from "../transport.ts";

const UNTRUSTED =
  /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|CERT_UNTRUSTED|UnknownIssuer|unknown ca|unable to get local issuer|certificate verify failed|not trusted|self[- ]signed/i;
const HOSTNAME =
  /ERR_TLS_CERT_ALTNAME_INVALID|not valid for name|NotValidForName|does not match certificate|hostname mismatch|altnames/i;
const EXPIRED = /CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|\bExpired\b|NotValidYet|has expired/i;
/** Alerts a server sends when it wants a client certificate or refuses the one it got. */
const CLIENT_CERT =
  /CERTIFICATE_REQUIRED|certificate required|CertificateRequired|BadCertificate|BAD_CERTIFICATE|bad certificate|alert: UnknownCA|ALERT_UNKNOWN_CA|alert unknown ca|HANDSHAKE_FAILURE|HandshakeFailure/i;
/** Anything that looks like a TLS-level failure (for errors seen on read). */
const TLS_ANY = /\bSSL|\bTLS|alert|certificate|handshake/i;

/** True when the client was configured to present a certificate. */
export function hasClientCert(opts: TlsOptions): boolean {
  return opts.cert !== undefined || opts.certFile !== undefined ||
    opts.key !== undefined || opts.keyFile !== undefined;
}

function detailOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  let msg = (typeof e?.message === "string" ? e.message : String(err)).trim();
  // OpenSSL: "<hex>:error:<code>:SSL routines:<func>:<reason>:<file>:<line>:..." → "<reason>"
  const openssl = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/.exec(msg);
  if (openssl !== null) msg = openssl[1];
  return code !== "" && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/**
 * Classifies a TLS failure. Returns `undefined` when `err` does not look
 * like a TLS error at all (and `always` is false), so read errors that are
 * plain socket failures keep their own type.
 *
 * @param err the runtime's error
 * @param hostport the server, for the message
 * @param name the name the certificate was checked against
 * @param opts the TLS options in use
 * @param always classify even when the text does not look like TLS
 * @param webSocket the failure is a `wss://` dial: the W3C WebSocket API
 *   takes no TLS options, so the advice names the runtime's trust settings
 */
export function tlsError(
  err: unknown,
  hostport: string,
  name: string,
  opts: TlsOptions,
  always = true,
  webSocket = false,
): TlsError | undefined {
  if (err instanceof TlsError) return err;
  const detail = detailOf(err);
  const head = `TLS with ${hostport} failed`;
  if (HOSTNAME.test(detail)) {
    return new TlsError(
      `${head}: the server's certificate does not cover "${name}" (${detail}); ` +
        (webSocket
          ? "dial a name the certificate lists"
          : "dial a name the certificate lists, or set tls.servername to one"),
      "hostname-mismatch",
      { cause: err },
    );
  }
  if (CLIENT_CERT.test(detail)) {
    return new TlsError(
      hasClientCert(opts)
        ? `${head}: the server refused the client certificate (${detail}); ` +
          "check that it is signed by a CA the server trusts and has not expired"
        : `${head}: the server requires a client certificate (${detail}); ` +
          "pass tls.cert and tls.key (or tls.certFile and tls.keyFile)",
      "client-certificate",
      { cause: err },
    );
  }
  if (UNTRUSTED.test(detail)) {
    return new TlsError(
      `${head}: the server's certificate is not signed by a trusted CA (${detail}); ` +
        (webSocket
          ? "the WebSocket API takes no TLS options, so make the runtime trust the CA " +
            "(Deno: --cert or DENO_CERT; Node.js: NODE_EXTRA_CA_CERTS; browsers: the OS store)"
          : "pass the CA certificate as tls.ca or tls.caFile"),
      "untrusted-certificate",
      { cause: err },
    );
  }
  if (EXPIRED.test(detail)) {
    return new TlsError(
      `${head}: the server's certificate has expired or is not yet valid (${detail})`,
      "expired-certificate",
      { cause: err },
    );
  }
  if (!always && !TLS_ANY.test(detail)) return undefined;
  return new TlsError(`${head}: ${detail}`, "handshake", { cause: err });
}
