// Package console serves Coffer's web console under /_coffer/console/: the
// static single-page application embedded from console/web, sign-in
// sessions, and a signing proxy through which the browser calls Coffer's
// own APIs (S3, KMS, IAM, STS, CloudTrail) as the signed-in user.
//
// The console is a plain client of those APIs. The browser never holds the
// secret access key: sign-in sends it once, the server checks it and keeps
// it in an in-memory session, and every API call the browser makes through
// /_coffer/console/api/aws/{service}/... is re-signed here with SigV4 and
// handed, in process, to the main router. Bucket policies, identity
// policies and key policies therefore apply unchanged, and a denial comes
// back as the API's own error.
//
// # HTTP contract
//
//	GET    /_coffer/console/...              static assets; index.html for unknown paths
//	POST   /_coffer/console/api/session      sign in: {"accessKeyId","secretAccessKey"}
//	GET    /_coffer/console/api/session      the session: {"csrfToken","arn","accountId","userName","expiresAt"}
//	DELETE /_coffer/console/api/session      sign out (X-CSRF-Token)
//	*      /_coffer/console/api/aws/{service}/{rest...}
//	                                         s3 | kms | iam | sts | cloudtrail, re-signed and forwarded
//
// Errors are JSON, {"error": Code, "message": text}, with the status the
// code's row in the error table gives; proxied calls answer with the API's
// own status, headers (never Set-Cookie) and body.
//
// # Security
//
//   - The session cookie (coffer_console) holds 32 random bytes; it is
//     HttpOnly, SameSite=Strict, scoped to /_coffer/console/ and Secure when
//     the request came over TLS (to Coffer, or to a trusted proxy that said
//     so). The server indexes sessions by the cookie's SHA-256, so a lookup's
//     timing says nothing about valid ids.
//   - Every state-changing request (anything but GET and HEAD) is refused
//     when the browser says it is cross-origin (Sec-Fetch-Site, Origin:
//     net/http's CrossOriginProtection). Within a session it also needs the
//     session's CSRF token in X-CSRF-Token, compared in constant time;
//     sign-in, which has no session yet, needs a JSON body instead, which a
//     cross-site form cannot send.
//   - Sign-in compares the secret in constant time and answers the same for
//     an unknown key and a wrong secret. Attempts are rate-limited per
//     source address (IPv6 per /64); successful ones give their token back.
//   - Sessions expire after 30 minutes idle or 12 hours in all, whichever
//     comes first; at most MaxSessions live at once (the least recently used
//     is dropped). Signing out or expiry wipes the session's copy of the
//     secret. The secret is never logged, returned or written to disk.
//   - The proxy forwards only the headers the contract lists, never the
//     browser's Authorization, Cookie, X-Amz-Date, X-Amz-Content-Sha256,
//     X-Amz-Security-Token, X-Amz-Target (S3), framing headers or
//     X-Forwarded-*; it refuses other services, paths with "." or ".."
//     segments, S3 paths that would reach the operator API (/_coffer/),
//     query-string credentials, and non-S3 bodies over 1 MiB. The forwarded
//     request carries the browser request's context, remote address and
//     TLS state, so aws:SourceIp and aws:SecureTransport are the browser's.
//     Proxied responses lose Set-Cookie and Access-Control-* and gain a
//     sandboxing Content-Security-Policy and nosniff, so an object served
//     from the console's origin can never run script there.
//
// console imports the domain package and, besides the standard library,
// only aws-sdk-go-v2's SigV4 signer (and what it needs). It must not import
// any other Coffer package: not s3api, kms, iam, audit, opsapi, sigv4 or a
// store. cmd/coffer wires it to the router.
package console
