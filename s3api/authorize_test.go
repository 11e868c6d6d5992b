package s3api

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cofferlabs/coffer"
)

// recordingAuthorizer keeps every request it is asked about and denies the
// actions in deny (with a Sid) and anything it is told to refuse.
type recordingAuthorizer struct {
	mu       sync.Mutex
	requests []coffer.AccessRequest
	deny     map[string]string // action -> Sid
}

func (a *recordingAuthorizer) Authorize(ctx context.Context, req coffer.AccessRequest) (coffer.AccessDecision, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.requests = append(a.requests, req)
	if p, _ := coffer.PrincipalFrom(ctx); p.Anonymous {
		return coffer.AccessDecision{}, nil
	}
	if sid, ok := a.deny[req.Action]; ok {
		return coffer.AccessDecision{DenySid: sid, DeniedBy: "resource"}, nil
	}
	return coffer.AccessDecision{Allowed: true}, nil
}

// last returns the last request for action on resource.
func (a *recordingAuthorizer) last(action, resource string) (coffer.AccessRequest, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.requests) - 1; i >= 0; i-- {
		if r := a.requests[i]; r.Action == action && r.Resource == resource {
			return r, true
		}
	}
	return coffer.AccessRequest{}, false
}

func withAuthorizer(a coffer.Authorizer) envOption {
	return func(s *envSettings) { s.config.Authorizer = a }
}

func withPolicyValidator(fn func([]byte, string) error) envOption {
	return func(s *envSettings) { s.sse.ValidateBucketPolicy = fn }
}

// Every operation asks the Authorizer with S3's action, the resource's
// ARN, the condition keys the request carries and the bucket policy.
func TestAuthorizationRequests(t *testing.T) {
	authz := &recordingAuthorizer{}
	policyDoc := []byte(`{"Version":"2012-10-17","Statement":[]}`)
	env := newTestEnv(t, withAuthorizer(authz), withPolicyValidator(func([]byte, string) error { return nil }))
	client := env.sdk(t)
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}))
	must(client.ListBuckets(ctx, &s3.ListBucketsInput{}))
	must(client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("bkt"), Policy: aws.String(string(policyDoc))}))
	must(client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("plain"), Body: strings.NewReader("x")}))
	must(client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("aes"), Body: strings.NewReader("x"), ServerSideEncryption: types.ServerSideEncryptionAes256}))
	must(client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("copy"), CopySource: aws.String("bkt/plain"), MetadataDirective: types.MetadataDirectiveReplace}))
	must(client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("home/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(7)}))
	up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("mp"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	must(up, err)
	must(client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))}))

	tests := []struct {
		name       string
		action     string
		resource   string
		conditions map[string]string // expected values; "" means the key must be absent
		policy     bool
	}{
		{"ListBuckets", "s3:ListAllMyBuckets", "arn:aws:s3:::*", nil, false},
		{"CreateBucket", "s3:CreateBucket", "arn:aws:s3:::bkt", nil, false},
		{"PutBucketPolicy", "s3:PutBucketPolicy", "arn:aws:s3:::bkt", nil, false},
		{"plain PutObject", "s3:PutObject", "arn:aws:s3:::bkt/plain", map[string]string{"s3:x-amz-server-side-encryption": "", "s3:authType": "REST-HEADER", "s3:signatureversion": "AWS4-HMAC-SHA256"}, true},
		{"PutObject with AES256", "s3:PutObject", "arn:aws:s3:::bkt/aes", map[string]string{"s3:x-amz-server-side-encryption": "AES256"}, true},
		{"CopyObject destination", "s3:PutObject", "arn:aws:s3:::bkt/copy", map[string]string{"s3:x-amz-copy-source": "bkt/plain", "s3:x-amz-metadata-directive": "REPLACE"}, true},
		{"CopyObject source", "s3:GetObject", "arn:aws:s3:::bkt/plain", nil, true},
		{"ListObjectsV2", "s3:ListBucket", "arn:aws:s3:::bkt", map[string]string{"s3:prefix": "home/", "s3:delimiter": "/", "s3:max-keys": "7"}, true},
		{"UploadPart follows the upload", "s3:PutObject", "arn:aws:s3:::bkt/mp", map[string]string{"s3:x-amz-server-side-encryption": "AES256"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := authz.last(tc.action, tc.resource)
			if !ok {
				t.Fatalf("no %s on %s was authorized", tc.action, tc.resource)
			}
			for key, want := range tc.conditions {
				values := got.Conditions[key]
				if (want == "" && len(values) != 0) || (want != "" && !slices.Equal(values, []string{want})) {
					t.Fatalf("%s = %q, want %q", key, values, want)
				}
			}
			if hasPolicy := bytes.Equal(got.ResourcePolicy, policyDoc); hasPolicy != tc.policy {
				t.Fatalf("bucket policy passed: %v, want %v", hasPolicy, tc.policy)
			}
		})
	}
}

// A denial is AccessDenied, and the audit event names the statement.
func TestAuthorizationDenialIsAudited(t *testing.T) {
	authz := &recordingAuthorizer{deny: map[string]string{"s3:PutObject": "DenyUnencrypted"}}
	auditor := &recordingAuditor{}
	env := newTestEnv(t, withAuthorizer(authz), withAuditor(auditor))
	client := env.sdk(t)
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantCode(t, err, "AccessDenied")
	event := auditor.find("PutObject")
	if event == nil || event.ErrorCode != "AccessDenied" || event.Details["denySid"] != "DenyUnencrypted" || event.Details["deniedBy"] != "resource" || event.Principal.ARN == "" {
		t.Fatalf("audit event of the denial: %+v", event)
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")}); err == nil {
		t.Fatal("the denied PUT stored an object")
	}
}

// DeleteObjects is judged key by key: a denied key is an AccessDenied
// entry of the result, and the others are deleted.
func TestAuthorizationDeleteObjectsPerKey(t *testing.T) {
	authz := &keyAuthorizer{deny: "arn:aws:s3:::bkt/keep"}
	env := newTestEnv(t, withAuthorizer(authz))
	client := env.sdk(t)
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"keep", "drop"} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("keep")}, {Key: aws.String("drop")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "keep" || aws.ToString(out.Errors[0].Code) != "AccessDenied" ||
		len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "drop" {
		t.Fatalf("DeleteObjects result: deleted %+v, errors %+v", out.Deleted, out.Errors)
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("keep")}); err != nil {
		t.Fatalf("the denied key was deleted: %v", err)
	}
}

// keyAuthorizer allows everything but deleting one object.
type keyAuthorizer struct{ deny string }

func (a *keyAuthorizer) Authorize(_ context.Context, req coffer.AccessRequest) (coffer.AccessDecision, error) {
	return coffer.AccessDecision{Allowed: req.Action != "s3:DeleteObject" || req.Resource != a.deny}, nil
}

// Anonymous callers reach the Authorizer (so a policy can grant "*") and
// are refused when it does not allow them.
func TestAuthorizationAnonymous(t *testing.T) {
	authz := &recordingAuthorizer{}
	env := newTestEnv(t, withAuthorizer(authz))
	resp, err := env.server.Client().Get(env.url("/bkt/k"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("anonymous GET: %d", resp.StatusCode)
	}
	if _, ok := authz.last("s3:GetObject", "arn:aws:s3:::bkt/k"); !ok {
		t.Fatal("the anonymous request never reached the Authorizer")
	}
}
