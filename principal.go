package coffer

import "context"

// Principal is who a request acts for, as authentication established it.
// Front ends put it in the request's context; the KMS and the policy
// engine read it from there, so that S3 calls the KMS "as the caller".
type Principal struct {
	AccountID   string // the 12-digit account the principal belongs to
	ARN         string // arn:aws:iam::<acct>:root, or arn:aws:iam::<acct>:user/<name>
	UserName    string // empty for root
	UserID      string // aws:userid: the account id for root, a unique id for users
	AccessKeyID string
	Anonymous   bool
}

// IsRoot reports whether the principal is the account's root user.
func (p Principal) IsRoot() bool { return !p.Anonymous && p.UserName == "" && p.ARN != "" }

// RequestInfo is how a request reached Coffer: facts policies, the KMS
// and the audit trail need besides the principal.
type RequestInfo struct {
	RequestID       string
	SourceIP        string
	UserAgent       string
	SecureTransport bool // TLS to Coffer, or to a trusted proxy that said so
	// TLSVersion and CipherSuite describe Coffer's own TLS connection
	// ("TLSv1.3", "TLS_AES_128_GCM_SHA256"); empty on plain HTTP.
	TLSVersion       string
	CipherSuite      string
	Host             string // the Host header the client sent
	SignatureVersion int    // 2 or 4; 0 when anonymous
	// ViaService is set when one Coffer service calls another on the
	// caller's behalf, e.g. "s3.amazonaws.com" for KMS calls made by S3.
	ViaService string
}

type principalKey struct{}
type requestInfoKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// WithRequestInfo returns ctx carrying info.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

// RequestInfoFrom returns the request facts in ctx (zero when absent).
func RequestInfoFrom(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return info
}
