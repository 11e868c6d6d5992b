// Package transport records how each request reached Coffer: the client's
// address and whether it travelled over TLS. Middleware puts these facts in
// the request's context as coffer.RequestInfo (SourceIP, SecureTransport,
// UserAgent), where policies ("aws:SourceIp", "aws:SecureTransport"), the
// KMS, SSE-C and the audit trail read them.
//
// Forwarded headers are never believed by default. Only when the direct peer
// is inside one of the trusted proxy prefixes the operator configured do
// X-Forwarded-Proto and X-Forwarded-For count:
//
//   - SecureTransport is true when the connection to Coffer is TLS, unless a
//     trusted proxy says the client's connection to it was not (the
//     right-most X-Forwarded-Proto value is then authoritative, so a proxy
//     that appends its own value overrides whatever the client sent).
//   - SourceIP is the right-most X-Forwarded-For address that is not itself
//     a trusted proxy: everything to its left was written by the client and
//     may be forged. An entry that is not an address (or "unknown") stops the
//     walk at the nearest address a trusted proxy vouched for.
//
// The RFC 7239 Forwarded header is not read. Headers are left untouched (a
// client may have signed them).
//
// The subpackage tlsconfig provides the HTTPS side: a local CA and server
// certificate for the embedded default, and certificates that reload on
// SIGHUP.
//
// transport imports the standard library and the domain package only.
package transport
