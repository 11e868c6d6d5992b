package iamapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/iam"
)

// TestProtocolErrors: every way a request can be wrong before an
// operation runs gets AWS's code and status, in the right namespace.
func TestProtocolErrors(t *testing.T) {
	s := startServer(t)
	listUsers := form("ListUsers").Encode()
	for _, tt := range []struct {
		name      string
		send      func(t *testing.T) reply
		status    int
		code      string
		message   string
		namespace string
	}{
		{"GET", func(t *testing.T) reply {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/?Action=ListUsers&Version=2010-05-08", nil)
			return send(t, req)
		}, 400, "InvalidAction", "POST / only", "iam"},
		{"unsigned", func(t *testing.T) reply {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(listUsers))
			req.Header.Set("Content-Type", formType)
			return send(t, req)
		}, 403, "MissingAuthenticationToken", "Request is missing Authentication Token", "iam"},
		{"JSON body", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, `{}`, func(r *http.Request) { r.Header.Set("Content-Type", "application/json") })
		}, 404, "MalformedQueryString", "Content-Type must be", "iam"},
		{"unknown access key", func(t *testing.T) reply {
			return s.call(t, creds{"AKIAUNKNOWNUNKNOWN00", rootSecret}, serviceIAM, listUsers)
		}, 403, "InvalidClientTokenId", "The security token included in the request is invalid.", "iam"},
		{"wrong secret", func(t *testing.T) reply {
			return s.call(t, creds{rootKeyID, "not the secret"}, serviceIAM, listUsers)
		}, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match", "iam"},
		{"body changed after signing", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, listUsers, func(r *http.Request) {
				changed := form("DeleteUser", "UserName", "alice").Encode()
				r.Body, r.ContentLength = ioNopCloser(changed), int64(len(changed))
			})
		}, 403, "SignatureDoesNotMatch", "does not match", "iam"},
		{"signed an hour ago", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, listUsers, func(r *http.Request) {
				// Re-sign for a time outside the allowed skew.
				resign(t, r, root, serviceIAM, listUsers, time.Now().Add(-time.Hour))
			})
		}, 403, "SignatureDoesNotMatch", "Signature expired:", "iam"},
		{"malformed authorization", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, listUsers, func(r *http.Request) {
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x/20260304/us-east-1/iam/aws4_request")
			})
		}, 400, "IncompleteSignature", "", "iam"},
		{"no Action", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, "Version=2010-05-08")
		}, 400, "MissingAction", "Action", "iam"},
		{"unknown Action", func(t *testing.T) reply {
			return s.iam(t, root, form("CreateRole", "RoleName", "r"))
		}, 400, "InvalidAction", "Could not find operation CreateRole for version 2010-05-08", "iam"},
		{"no Version", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, "Action=ListUsers")
		}, 400, "MissingParameter", "Version", "iam"},
		{"another Version", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, "Action=ListUsers&Version=2011-06-15")
		}, 400, "InvalidAction", "Could not find operation ListUsers for version 2011-06-15", "iam"},
		{"an IAM action signed for STS", func(t *testing.T) reply {
			return s.call(t, root, serviceSTS, "Action=ListUsers&Version=2010-05-08")
		}, 400, "InvalidAction", "Could not find operation ListUsers", "sts"},
		{"STS action signed for IAM", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, "Action=GetCallerIdentity&Version=2011-06-15")
		}, 400, "InvalidAction", "Could not find operation GetCallerIdentity", "iam"},
		{"a parameter twice", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, "Action=DeleteUser&Version=2010-05-08&UserName=alice&UserName=bob")
		}, 400, "InvalidParameterValue", "The parameter UserName is given more than once.", "iam"},
		{"in the body and the query", func(t *testing.T) reply {
			body := "Action=DeleteUser&Version=2010-05-08&UserName=alice"
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/?UserName=bob", strings.NewReader(body))
			req.Header.Set("Content-Type", formType)
			resign(t, req, root, serviceIAM, body, time.Now())
			return send(t, req)
		}, 400, "InvalidParameterValue", "given more than once", "iam"},
		{"bad percent-encoding", func(t *testing.T) reply {
			return s.call(t, root, serviceIAM, "Action=ListUsers&Version=2010-05-08&PathPrefix=%zz")
		}, 404, "MalformedQueryString", "malformed", "iam"},
		{"a parameter the action does not take", func(t *testing.T) reply {
			return s.iam(t, root, form("ListUsers", "UserName", "alice"))
		}, 400, "InvalidParameterValue", "ListUsers does not take the parameter UserName", "iam"},
		{"body too large", func(t *testing.T) reply {
			big := form("PutUserPolicy", "UserName", "a", "PolicyName", "p", "PolicyDocument", strings.Repeat("x", MaxRequestBody)).Encode()
			return s.call(t, root, serviceIAM, big)
		}, 413, "RequestEntityTooLarge", "", "iam"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.send(t)
			if r.status != tt.status || r.errorCode() != tt.code || !strings.Contains(r.errorMessage(), tt.message) {
				t.Fatalf("%d %s %q, want %d %s %q\n%s", r.status, r.errorCode(), r.errorMessage(), tt.status, tt.code, tt.message, r.body)
			}
			ns := map[string]string{"iam": iamNamespace, "sts": stsNamespace}[tt.namespace]
			if !strings.HasPrefix(r.body, `<ErrorResponse xmlns="`+ns+`"><Error><Type>Sender</Type>`) {
				t.Fatalf("error envelope:\n%s", r.body)
			}
			if id := r.header.Get("x-amzn-RequestId"); id == "" || !strings.HasSuffix(r.body, "<RequestId>"+id+"</RequestId></ErrorResponse>") {
				t.Fatalf("request id %q not in\n%s", id, r.body)
			}
		})
	}
}

// TestErrorTable: every sentinel of package iam has a row, and every code
// a status.
func TestErrorTable(t *testing.T) {
	for _, sentinel := range []error{iam.ErrNoSuchEntity, iam.ErrEntityAlreadyExists, iam.ErrDeleteConflict, iam.ErrLimitExceeded, iam.ErrValidation, iam.ErrMalformedPolicy} {
		e, internal := toAPIError(&iam.Error{Kind: sentinel, Message: "m"})
		if internal || e.message != "m" || e.status == 0 {
			t.Errorf("%v has no row: %+v", sentinel, e)
		}
	}
	for _, m := range domainErrors {
		if statuses[m.code] == 0 {
			t.Errorf("code %s has no status", m.code)
		}
	}
	for _, err := range []error{errors.New("disk on fire"), &iam.Error{Kind: errors.New("new kind"), Message: "m"}} {
		if e, internal := toAPIError(err); !internal || e != internalError {
			t.Errorf("%v is not internal: %+v", err, e)
		}
	}
	if internalError.status != 500 {
		t.Fatal("internal errors are not 500")
	}
}

// TestInternalFailure: a key store failure answers 500 ServiceFailure with
// public text, logs the cause, and is audited.
func TestInternalFailure(t *testing.T) {
	ks := &brokenStore{KeyStore: memStore()}
	s := startServer(t, withKeyStore(ks))
	ks.broken.Store(true)
	r := s.iam(t, root, form("CreateUser", "UserName", "alice"))
	if r.status != 500 || r.errorCode() != "ServiceFailure" || !strings.Contains(r.body, "<Type>Receiver</Type>") || strings.Contains(r.body, "injected") {
		t.Fatalf("%d\n%s", r.status, r.body)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "injected key store failure") || !strings.Contains(logs, "op=CreateUser") {
		t.Fatalf("logs:\n%s", logs)
	}
	events := s.audit.all()
	if len(events) != 1 || events[0].ErrorCode != "ServiceFailure" {
		t.Fatalf("events: %+v", events)
	}
	// An authorizer failure is internal too, and allows nothing.
	s.authz.mu.Lock()
	s.authz.fail = errors.New("policy store down")
	s.authz.mu.Unlock()
	if r := s.iam(t, root, form("ListUsers")); r.status != 500 {
		t.Fatalf("with a failing authorizer: %d %s", r.status, r.body)
	}
}

// TestInactiveAndDeletedKeys: a key stops authenticating the moment it is
// deactivated or deleted, and Identify's refusal is never taken for
// another principal.
func TestInactiveAndDeletedKeys(t *testing.T) {
	s := startServer(t)
	alice := s.newUser(t, "alice")
	caller := func() reply { return s.call(t, alice, serviceSTS, stsForm("GetCallerIdentity").Encode()) }
	mustOK(t, "active", caller())
	mustOK(t, "deactivate", s.iam(t, root, form("UpdateAccessKey", "UserName", "alice", "AccessKeyId", alice.id, "Status", "Inactive")))
	if r := caller(); r.status != 403 || r.errorCode() != "InvalidClientTokenId" {
		t.Fatalf("inactive key: %d %s", r.status, r.body)
	}
	mustOK(t, "reactivate", s.iam(t, root, form("UpdateAccessKey", "UserName", "alice", "AccessKeyId", alice.id, "Status", "Active")))
	mustOK(t, "active again", caller())
	mustOK(t, "delete", s.iam(t, root, form("DeleteAccessKey", "UserName", "alice", "AccessKeyId", alice.id)))
	if r := caller(); r.status != 403 || r.errorCode() != "InvalidClientTokenId" {
		t.Fatalf("deleted key: %d %s", r.status, r.body)
	}

	// A verifier that still knows a key the directory has let go of:
	// Identify refuses, and nothing runs.
	stale := startServer(t, func(cfg *Config, s *server) {
		cfg.Identify = func(accessKey string) (coffer.Principal, bool) { return coffer.Principal{}, false }
	})
	if r := stale.iam(t, root, form("CreateUser", "UserName", "x")); r.status != 403 || r.errorCode() != "InvalidClientTokenId" {
		t.Fatalf("unidentified key: %d %s", r.status, r.body)
	}
	if users, _ := stale.dir.ListUsers(""); len(users) != 0 {
		t.Fatal("an unidentified caller created a user")
	}
}

// TestDefaults: without an Authorizer only the root user may act; without
// Identify only the directory's users are known.
func TestDefaults(t *testing.T) {
	s := startServer(t, func(cfg *Config, _ *server) { cfg.Authorizer = nil })
	mustOK(t, "root", s.iam(t, root, form("CreateUser", "UserName", "alice")))
	r := s.iam(t, root, form("CreateAccessKey", "UserName", "alice"))
	alice := s.newUserKey(t, r)
	if r := s.iam(t, alice, form("ListUsers")); r.status != 403 || r.errorCode() != "AccessDenied" {
		t.Fatalf("a user without an authorizer: %d %s", r.status, r.body)
	}
	h := New(Config{Directory: s.dir, Verifier: s.verifier()}).(*handler)
	if _, ok := h.identify(rootKeyID); ok {
		t.Fatal("the default Identify knows the root key")
	}
	if p, ok := h.identify(alice.id); !ok || p.UserName != "alice" {
		t.Fatalf("the default Identify: %+v %v", p, ok)
	}
	if dec, _ := h.authorizer.Authorize(coffer.WithPrincipal(context.Background(), rootUser), coffer.AccessRequest{}); !dec.Allowed {
		t.Fatal("the default authorizer refuses root")
	}
	other := rootUser
	other.AccountID, other.ARN = "444455556666", "arn:aws:iam::444455556666:root"
	if dec, _ := h.authorizer.Authorize(coffer.WithPrincipal(context.Background(), other), coffer.AccessRequest{}); dec.Allowed {
		t.Fatal("the default authorizer allows another account's root")
	}
	for _, cfg := range []Config{{}, {Directory: s.dir}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", cfg)
				}
			}()
			New(cfg)
		}()
	}
}

func TestIsRequest(t *testing.T) {
	const auth = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260304/us-east-1/%s/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	for _, tt := range []struct {
		name, method, target, contentType, authorization string
		want                                             bool
	}{
		{"iam", "POST", "/", "application/x-www-form-urlencoded; charset=utf-8", "iam", true},
		{"sts", "POST", "/", "application/x-www-form-urlencoded", "sts", true},
		{"upper-case media type", "POST", "/", "Application/X-WWW-Form-Urlencoded", "iam", true},
		{"presigned iam", "POST", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260304%2Fus-east-1%2Fiam%2Faws4_request", formType, "", true},
		{"s3", "POST", "/", formType, "s3", false},
		{"kms", "POST", "/", formType, "kms", false},
		{"unsigned", "POST", "/", formType, "", false},
		{"GET", "GET", "/", formType, "iam", false},
		{"a bucket", "POST", "/bucket", formType, "iam", false},
		{"multipart form", "POST", "/", "multipart/form-data; boundary=x", "iam", false},
		{"JSON", "POST", "/", "application/x-amz-json-1.1", "iam", false},
		{"no content type", "POST", "/", "", "iam", false},
		{"sigv2", "POST", "/", formType, "AWS AKIAIOSFODNN7EXAMPLE:c2ln", false},
		{"service named in the wrong place", "POST", "/", formType, "AWS4-HMAC-SHA256 Credential=iam/20260304/us-east-1/s3/aws4_request", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest(tt.method, "http://127.0.0.1"+tt.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			switch a := tt.authorization; {
			case a == "":
			case strings.HasPrefix(a, "AWS"):
				r.Header.Set("Authorization", a)
			default:
				r.Header.Set("Authorization", strings.Replace(auth, "%s", a, 1))
			}
			if got := IsRequest(r); got != tt.want {
				t.Fatalf("IsRequest = %v", got)
			}
		})
	}
}

// TestParseParams checks the strict form reader.
func TestParseParams(t *testing.T) {
	for _, tt := range []struct {
		name, body, query string
		want              params
		code              string
	}{
		{"simple", "Action=ListUsers&Version=2010-05-08", "", params{"Action": "ListUsers", "Version": "2010-05-08"}, ""},
		{"plus and percent", "PolicyDocument=%7B%22a%22+%3A+1%7D", "", params{"PolicyDocument": `{"a" : 1}`}, ""},
		{"empty pairs", "&&Action=X&", "", params{"Action": "X"}, ""},
		{"no value", "Marker", "", params{"Marker": ""}, ""},
		{"query", "Action=X", "Version=1", params{"Action": "X", "Version": "1"}, ""},
		{"twice", "a=1&a=2", "", nil, "InvalidParameterValue"},
		{"twice across", "a=1", "a=1", nil, "InvalidParameterValue"},
		{"bad escape in a name", "%=1", "", nil, "MalformedQueryString"},
		{"bad escape in a value", "a=%G0", "", nil, "MalformedQueryString"},
		{"too many", strings.Repeat("a", 0) + manyParams(maxParams+1), "", nil, "MalformedQueryString"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseParams(tt.body, tt.query)
			if tt.code != "" {
				if err == nil || err.code != tt.code {
					t.Fatalf("parseParams = %v, %v; want %s", got, err, tt.code)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("parseParams = %v, %v", got, err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Fatalf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func manyParams(n int) string {
	v := url.Values{}
	for i := range n {
		v.Set("p"+strings.Repeat("x", i), "1")
	}
	return v.Encode()
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		`{"a": "b/c*"}`: "%7B%22a%22%3A%20%22b%2Fc%2A%22%7D",
		"AZaz09-_.~":    "AZaz09-_.~",
		"é+":            "%C3%A9%2B",
		"":              "",
	} {
		got := percentEncode(in)
		if got != want {
			t.Errorf("percentEncode(%q) = %q, want %q", in, got, want)
		}
		if back, err := url.QueryUnescape(got); err != nil || back != in {
			t.Errorf("url.QueryUnescape(%q) = %q, %v", got, back, err)
		}
	}
}

// TestPresigned: a presigned POST (the query carries the signature, as
// some tools send GetCallerIdentity) is recognized and served.
func TestPresigned(t *testing.T) {
	s := startServer(t)
	body := stsForm("GetCallerIdentity").Encode()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/?X-Amz-Expires=300", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", formType)
	sum := sha256.Sum256([]byte(body))
	signedURL, signedHeaders, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: root.id, SecretAccessKey: root.secret},
		req, hex.EncodeToString(sum[:]), serviceSTS, testRegion, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	presigned, _ := http.NewRequest(http.MethodPost, signedURL, strings.NewReader(body))
	presigned.Header = signedHeaders.Clone()
	presigned.Header.Set("Content-Type", formType)
	if !IsRequest(presigned) {
		t.Fatal("IsRequest does not recognize a presigned STS call")
	}
	r := mustOK(t, "presigned GetCallerIdentity", send(t, presigned))
	if !strings.Contains(r.body, "<Arn>arn:aws:iam::111122223333:root</Arn>") {
		t.Fatal(r.body)
	}
}
