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

// benchPolicy returns a policy of n statements: the ten above, then
// per-team allows with prefix conditions.
func benchPolicy(b *testing.B, n int) *Policy {
	statements := append([]string(nil), benchStatements...)
	for i := len(statements); i < n; i++ {
		statements = append(statements, fmt.Sprintf(
			`{"Sid":"Team%d","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/team%d"},"Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::B","Condition":{"StringLike":{"s3:prefix":["team%d/*",""]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}`, i, i, i))
	}
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements[:n], ",") + `]}`
	p, err := Parse([]byte(doc))
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
