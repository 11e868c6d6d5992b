package tests

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// iamUser is a user made through the IAM API, with its access key.
type iamUser struct {
	ARN, AccessKeyID, SecretAccessKey string
}

// createUser makes a user with an access key through `aws iam`, as root.
func createUser(t *testing.T, root *cliSession, name string) iamUser {
	t.Helper()
	var created struct{ User struct{ Arn string } }
	root.json(t, &created, "iam", "create-user", "--user-name", name)
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	root.json(t, &key, "iam", "create-access-key", "--user-name", name)
	if created.User.Arn == "" || key.AccessKey.AccessKeyId == "" || len(key.AccessKey.SecretAccessKey) != 40 {
		t.Fatalf("user %s: %+v, key %s", name, created, key.AccessKey.AccessKeyId)
	}
	return iamUser{ARN: created.User.Arn, AccessKeyID: key.AccessKey.AccessKeyId, SecretAccessKey: key.AccessKey.SecretAccessKey}
}

func policyDoc(statements ...map[string]any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// A non-root user driven by the aws CLI, against bucket policies that
// force encryption and TLS and a key policy that refuses them Decrypt
// (issue 5's end-to-end list).
func TestPoliciesEndToEndWithCLI(t *testing.T) {
	s := startTLSServer(t)
	root := newCLISession(t, s.httpsEndpoint, s.caPath)
	alice := createUser(t, root, "alice")
	asAlice := newCLISessionAs(t, s.httpsEndpoint, s.caPath, alice.AccessKeyID, alice.SecretAccessKey)
	asAliceHTTP := newCLISessionAs(t, s.endpoint, "", alice.AccessKeyID, alice.SecretAccessKey)

	var who struct{ Arn, Account string }
	asAlice.json(t, &who, "sts", "get-caller-identity")
	if who.Arn != alice.ARN {
		t.Fatalf("get-caller-identity as alice: %+v, want %s", who, alice.ARN)
	}

	root.ok(t, "s3api", "create-bucket", "--bucket", "locked")
	body := root.file(t, "body.txt", []byte("policy-guarded bytes"))
	t.Run("a new user can do nothing", func(t *testing.T) {
		asAlice.fails(t, "AccessDenied", "s3api", "list-objects-v2", "--bucket", "locked")
		asAlice.fails(t, "AccessDenied", "s3api", "put-object", "--bucket", "locked", "--key", "k", "--body", strings.TrimPrefix(body, "fileb://"))
	})

	// Alice may use the bucket and the KMS; the bucket's policy decides
	// what encryption her uploads must carry.
	var goodKey, otherKey struct{ KeyMetadata struct{ Arn string } }
	root.json(t, &goodKey, "kms", "create-key", "--description", "allowed")
	root.json(t, &otherKey, "kms", "create-key", "--description", "not allowed")
	root.ok(t, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "use-bucket", "--policy-document", cliJSON(t, policyDoc(
		map[string]any{"Effect": "Allow", "Action": "s3:*", "Resource": []string{"arn:aws:s3:::locked", "arn:aws:s3:::locked/*"}},
		map[string]any{"Effect": "Allow", "Action": []string{"kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"}, "Resource": "*"},
	)))
	root.ok(t, "s3api", "put-bucket-policy", "--bucket", "locked", "--policy", cliJSON(t, policyDoc(
		map[string]any{"Sid": "DenyMissingEncryptionHeader", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
			"Resource": "arn:aws:s3:::locked/*", "Condition": map[string]any{"Null": map[string]any{"s3:x-amz-server-side-encryption": "true"}}},
		map[string]any{"Sid": "DenyOtherKMSKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
			"Resource": "arn:aws:s3:::locked/*", "Condition": map[string]any{
				"StringEquals":    map[string]any{"s3:x-amz-server-side-encryption": "aws:kms"},
				"StringNotEquals": map[string]any{"s3:x-amz-server-side-encryption-aws-kms-key-id": goodKey.KeyMetadata.Arn}}},
		map[string]any{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource": []string{"arn:aws:s3:::locked", "arn:aws:s3:::locked/*"}, "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}},
	)))
	file := strings.TrimPrefix(body, "fileb://")

	t.Run("deny unencrypted PutObject", func(t *testing.T) {
		asAlice.fails(t, "AccessDenied", "s3", "cp", file, "s3://locked/plain")
		asAlice.ok(t, "s3", "cp", file, "s3://locked/aes", "--sse", "AES256")
		asAlice.fails(t, "AccessDenied", "s3", "cp", file, "s3://locked/wrong-kms", "--sse", "aws:kms", "--sse-kms-key-id", otherKey.KeyMetadata.Arn)
		asAlice.ok(t, "s3", "cp", file, "s3://locked/right-kms", "--sse", "aws:kms", "--sse-kms-key-id", goodKey.KeyMetadata.Arn)
		got := filepath.Join(t.TempDir(), "got")
		asAlice.ok(t, "s3", "cp", "s3://locked/right-kms", got)
		if data, err := os.ReadFile(got); err != nil || !bytes.Equal(data, []byte("policy-guarded bytes")) {
			t.Fatalf("read back %q, %v", data, err)
		}
	})

	t.Run("multipart follows the upload's encryption", func(t *testing.T) {
		big := make([]byte, 20<<20)
		if _, err := rand.Read(big); err != nil {
			t.Fatal(err)
		}
		path := strings.TrimPrefix(asAlice.file(t, "big.bin", big), "fileb://")
		asAlice.ok(t, "s3", "cp", path, "s3://locked/big", "--sse", "AES256")
		asAlice.fails(t, "AccessDenied", "s3", "cp", path, "s3://locked/big-plain")
		var head struct{ ContentLength int64 }
		asAlice.json(t, &head, "s3api", "head-object", "--bucket", "locked", "--key", "big")
		if head.ContentLength != int64(len(big)) {
			t.Fatalf("multipart object under the policy: %d bytes", head.ContentLength)
		}
	})

	t.Run("deny aws:SecureTransport false", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		asAliceHTTP.fails(t, "AccessDenied", "s3api", "get-object", "--bucket", "locked", "--key", "aes", out)
		asAliceHTTP.fails(t, "403", "s3api", "head-object", "--bucket", "locked", "--key", "aes") // HEAD errors carry no body
		asAlice.ok(t, "s3api", "get-object", "--bucket", "locked", "--key", "aes", out)
	})

	t.Run("key policy denies Decrypt to the user", func(t *testing.T) {
		var denied struct{ KeyMetadata struct{ Arn string } }
		root.json(t, &denied, "kms", "create-key", "--policy", cliJSON(t, policyDoc(
			map[string]any{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + who.Account + ":root"}, "Action": "kms:*", "Resource": "*"},
			map[string]any{"Sid": "NoDecryptForAlice", "Effect": "Deny", "Principal": map[string]any{"AWS": alice.ARN}, "Action": "kms:Decrypt", "Resource": "*"},
		)))
		root.ok(t, "s3api", "put-bucket-policy", "--bucket", "locked", "--policy", cliJSON(t, policyDoc(
			map[string]any{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
				"Resource": []string{"arn:aws:s3:::locked", "arn:aws:s3:::locked/*"}, "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}},
		)))
		asAlice.ok(t, "s3", "cp", file, "s3://locked/kms-denied", "--sse", "aws:kms", "--sse-kms-key-id", denied.KeyMetadata.Arn)
		asAlice.fails(t, "AccessDenied", "s3", "cp", "s3://locked/kms-denied", filepath.Join(t.TempDir(), "x"))
		root.ok(t, "s3", "cp", "s3://locked/kms-denied", filepath.Join(t.TempDir(), "y"))
	})

	t.Run("denials are in the audit trail with their Sid", func(t *testing.T) {
		trail := readAuditTrail(t, s.server)
		for _, want := range []string{"DenyMissingEncryptionHeader", "DenyOtherKMSKeys", "DenyInsecureTransport", "NoDecryptForAlice"} {
			if !strings.Contains(trail, want) {
				t.Errorf("the audit trail never names %s", want)
			}
		}
		if !strings.Contains(trail, alice.ARN) {
			t.Error("the audit trail never names the caller")
		}
		if strings.Contains(trail, alice.SecretAccessKey) {
			t.Error("the audit trail holds the secret access key")
		}
	})
}

// readAuditTrail is the text of every audit segment of a running server:
// records are written as they happen, one JSON line each.
func readAuditTrail(t *testing.T, s *server) string {
	t.Helper()
	segments, err := filepath.Glob(filepath.Join(s.dataDir, "audit", "audit-*.jsonl"))
	if err != nil || len(segments) == 0 {
		t.Fatalf("audit segments: %v %v", segments, err)
	}
	var all strings.Builder
	for _, path := range segments {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
	}
	return all.String()
}

// Anonymous callers get exactly what a bucket policy grants to "*";
// malformed policies are refused with what is wrong; GetBucketPolicyStatus
// tells a public policy.
func TestBucketPolicyPublicReadWithCLI(t *testing.T) {
	s := startServer(t)
	root := newCLISession(t, s.endpoint, "")
	for _, b := range []string{"public", "private"} {
		root.ok(t, "s3api", "create-bucket", "--bucket", b)
		root.ok(t, "s3api", "put-object", "--bucket", b, "--key", "hello.txt", "--body", strings.TrimPrefix(root.file(t, "hello", []byte("hello, world")), "fileb://"))
	}
	anonymousGet := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(s.endpoint + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, _ := anonymousGet("/public/hello.txt"); code != http.StatusForbidden {
		t.Fatalf("anonymous GET before any policy: %d", code)
	}
	msg := root.fails(t, "MalformedPolicy", "s3api", "put-bucket-policy", "--bucket", "public", "--policy", cliJSON(t, policyDoc(
		map[string]any{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::public/*"})))
	if !strings.Contains(msg, "Policy has invalid action") {
		t.Fatalf("malformed policy message: %s", msg)
	}
	root.fails(t, "MalformedPolicy", "s3api", "put-bucket-policy", "--bucket", "public", "--policy", cliJSON(t, policyDoc(
		map[string]any{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::private/*"})))
	root.fails(t, "NoSuchBucketPolicy", "s3api", "get-bucket-policy-status", "--bucket", "public")

	grant := cliJSON(t, policyDoc(map[string]any{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public/*"}))
	root.ok(t, "s3api", "put-bucket-policy", "--bucket", "public", "--policy", grant)
	var stored struct{ Policy string }
	root.json(t, &stored, "s3api", "get-bucket-policy", "--bucket", "public")
	if stored.Policy != grant {
		t.Fatalf("get-bucket-policy returned %s, want the document as put", stored.Policy)
	}
	var status struct{ PolicyStatus struct{ IsPublic bool } }
	root.json(t, &status, "s3api", "get-bucket-policy-status", "--bucket", "public")
	if !status.PolicyStatus.IsPublic {
		t.Fatal("a policy granting GetObject to * is not reported public")
	}
	if code, body := anonymousGet("/public/hello.txt"); code != http.StatusOK || body != "hello, world" {
		t.Fatalf("anonymous GET under a public-read policy: %d %q", code, body)
	}
	if code, _ := anonymousGet("/public"); code != http.StatusForbidden {
		t.Fatalf("anonymous listing, which the policy does not grant: %d", code)
	}
	if code, _ := anonymousGet("/private/hello.txt"); code != http.StatusForbidden {
		t.Fatalf("anonymous GET of another bucket: %d", code)
	}
	root.ok(t, "s3api", "delete-bucket-policy", "--bucket", "public")
	if code, _ := anonymousGet("/public/hello.txt"); code != http.StatusForbidden {
		t.Fatalf("anonymous GET after the policy was deleted: %d", code)
	}
}
