package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

// benchStatements is a realistic bucket policy: encryption and TLS
// denies, public and per-user allows, variables, IP and numeric tests.
var benchStatements = []string{
	`{"Sid":"DenyNonTLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
	`{"Sid":"DenyIncorrectEncryptionHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::B/*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":["AES256","aws:kms"]}}}`,
	`{"Sid":"DenyUnencrypted","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::B/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}`,
	`{"Sid":"DenyWrongKey","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::B/*","Condition":{"StringNotEqualsIfExists":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/k1"},"StringEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}`,
	`{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::B/public/*"}`,
	`{"Sid":"AccountAdmin","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"]}`,
	`{"Sid":"UserHome","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:user/bob"]},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::B/home/${aws:username}/*"}`,
	`{"Sid":"DenyDeleteOffsite","Effect":"Deny","Principal":"*","Action":"s3:Delete*","Resource":"arn:aws:s3:::B/*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}}`,
	`{"Sid":"PartnerUploads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/carol"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::B/uploads/*","Condition":{"StringLike":{"s3:x-amz-acl":"bucket-owner-*"}}}`,
	`{"Sid":"DenyOldTLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}}`,
}

// benchPolicyDoc returns a bucket policy of n statements: the ten above,
// then per-team allows with prefix conditions.
func benchPolicyDoc(n int) []byte {
	statements := append([]string(nil), benchStatements...)
	for i := len(statements); i < n; i++ {
		statements = append(statements, fmt.Sprintf(
			`{"Sid":"Team%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/team%d"},"Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::B","Condition":{"StringLike":{"s3:prefix":["team%d/*",""]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}`, i, i, i))
	}
	return []byte(`{"Version":"2012-10-17","Statement":[` + strings.Join(statements[:n], ",") + `]}`)
}

func benchPolicy(b *testing.B, n int) *Policy {
	p, err := Parse(benchPolicyDoc(n))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// benchRequest is alice uploading to her home over TLS 1.3 with SSE-S3:
// every statement has to be looked at, and none denies.
func benchRequest() Request {
	alice := coffer.Principal{AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice", UserID: "AIDAALICE"}
	ctx := GlobalConditions(alice, coffer.RequestInfo{SourceIP: "192.0.2.10", SecureTransport: true}, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	ctx["s3:x-amz-server-side-encryption"] = []string{"AES256"}
	ctx["s3:tlsversion"] = []string{"1.3"}
	return Request{Principal: alice, Action: "s3:PutObject", Resource: "arn:aws:s3:::B/home/alice/report.pdf", Conditions: ctx}
}

func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{10, 20} {
		b.Run(fmt.Sprintf("statements=%d", n), func(b *testing.B) {
			p := benchPolicy(b, n)
			req := benchRequest()
			if d := p.Evaluate(req); d.Effect != Allow || d.Sid != "UserHome" {
				b.Fatalf("decision %+v", d)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.Evaluate(req)
			}
		})
	}
	b.Run("statements=10/denied-plain-PUT", func(b *testing.B) {
		p := benchPolicy(b, 10)
		req := benchRequest()
		delete(req.Conditions, "s3:x-amz-server-side-encryption")
		if d := p.Evaluate(req); d.Effect != Deny {
			b.Fatalf("decision %+v", d)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			p.Evaluate(req)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	statements := append([]string(nil), benchStatements...)
	doc := []byte(`{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthorizeBucketPolicy20 is the cost of authorizing one S3
// request as the server does: alice uploads to her home prefix over TLS
// 1.3 with SSE-S3, judged by her identity policy and a 20-statement
// bucket policy (TLS and encryption denies, public, account, per-user and
// per-team allows with conditions). Each op is a whole Authorize: the
// aws: keys from the context, the merge with the request's keys, two
// cache lookups and both evaluations.
func BenchmarkAuthorizeBucketPolicy20(b *testing.B) {
	alice := principals["alice"]
	identity := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"ReadWriteB","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"],
	  "Condition":{"Bool":{"aws:SecureTransport":"true"}}},
	 {"Sid":"NoDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	a := NewAuthorizer(storedDirectory{alice.ARN: {[]byte(identity)}}, testAccount)
	a.now = func() time.Time { return time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) }
	ctx := callerContext("alice", coffer.RequestInfo{SourceIP: "192.0.2.10", SecureTransport: true, UserAgent: "aws-cli/2.27.0", TLSVersion: "TLSv1.3"})
	req := coffer.AccessRequest{
		Action:   "s3:PutObject",
		Resource: "arn:aws:s3:::B/home/alice/report.pdf",
		Conditions: map[string][]string{
			"s3:x-amz-server-side-encryption": {"AES256"},
			"s3:tlsversion":                   {"1.3"},
		},
		ResourcePolicy: benchPolicyDoc(20),
	}
	if d, err := a.Authorize(ctx, req); err != nil || !d.Allowed {
		b.Fatalf("decision %+v, %v", d, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Authorize(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
