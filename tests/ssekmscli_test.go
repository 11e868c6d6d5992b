package tests

import (
	"encoding/base64"
	"strings"
	"testing"
)

// objectHead is head-object's (and put-object's) output as the CLI prints it.
type objectHead struct {
	ServerSideEncryption    string
	SSEKMSKeyId             string
	SSEKMSEncryptionContext string
	BucketKeyEnabled        bool
	ETag                    string
	LastModified            string
	ContentLength           int64
}

// b64JSON is the x-amz-server-side-encryption-context form of ec.
func b64JSON(t *testing.T, ec map[string]string) string {
	return base64.StdEncoding.EncodeToString([]byte(cliJSON(t, ec)))
}

// TestSSEKMSAWSCLI stores and reads SSE-KMS objects with the aws CLI over
// HTTPS: every way of naming the key, the encryption context, multipart,
// copies, bucket default encryption with a bucket key, a disabled key and
// UpdateObjectEncryption.
func TestSSEKMSAWSCLI(t *testing.T) {
	s := startTLSServer(t)
	cli := newCLISession(t, s.httpsEndpoint, s.caPath)
	var created keyMetadata
	cli.json(t, &created, "kms", "create-key", "--description", "sse-kms")
	key := created.KeyMetadata
	const alias = "alias/ssekms-it"
	aliasARN := "arn:aws:kms:" + testRegion + ":" + key.AWSAccountId + ":" + alias
	cli.ok(t, "kms", "create-alias", "--alias-name", alias, "--target-key-id", key.KeyId)
	cli.ok(t, "s3", "mb", "s3://ssekms")
	head := func(t *testing.T, bucket, objectKey string) objectHead {
		t.Helper()
		var h objectHead
		cli.json(t, &h, "s3api", "head-object", "--bucket", bucket, "--key", objectKey)
		return h
	}
	download := func(t *testing.T, bucket, objectKey string, want []byte) {
		t.Helper()
		path := cli.path("download")
		cli.ok(t, "s3api", "get-object", "--bucket", bucket, "--key", objectKey, path)
		assertFileEquals(t, path, want)
	}

	t.Run("s3 cp", func(t *testing.T) {
		cases := []struct {
			name    string
			args    []string
			wantKey func(t *testing.T) string
		}{
			{name: "default key", args: []string{"--sse", "aws:kms"}, wantKey: func(t *testing.T) string {
				var managed keyMetadata
				cli.json(t, &managed, "kms", "describe-key", "--key-id", "alias/aws/s3")
				if managed.KeyMetadata.KeyManager != "AWS" {
					t.Fatalf("alias/aws/s3 names a %s key", managed.KeyMetadata.KeyManager)
				}
				return managed.KeyMetadata.Arn
			}},
			{name: "key id", args: []string{"--sse", "aws:kms", "--sse-kms-key-id", key.KeyId}},
			{name: "key ARN", args: []string{"--sse", "aws:kms", "--sse-kms-key-id", key.Arn}},
			{name: "alias", args: []string{"--sse", "aws:kms", "--sse-kms-key-id", alias}},
			{name: "alias ARN", args: []string{"--sse", "aws:kms", "--sse-kms-key-id", aliasARN}},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				name := strings.ReplaceAll(tc.name, " ", "-")
				src, data := randomFile(t, t.TempDir(), name, 1000+i*7919)
				cli.ok(t, append([]string{"s3", "cp", src, "s3://ssekms/cp/" + name}, tc.args...)...)
				want := key.Arn
				if tc.wantKey != nil {
					want = tc.wantKey(t)
				}
				h := head(t, "ssekms", "cp/"+name)
				if h.ServerSideEncryption != "aws:kms" || h.SSEKMSKeyId != want || h.BucketKeyEnabled || h.ContentLength != int64(len(data)) {
					t.Fatalf("head-object: %+v, want key %s", h, want)
				}
				download(t, "ssekms", "cp/"+name, data)
			})
		}
	})

	t.Run("encryption context", func(t *testing.T) {
		_, data := randomFile(t, cli.dir, "context.bin", 5000)
		var put objectHead
		cli.json(t, &put, "s3api", "put-object", "--bucket", "ssekms", "--key", "context.bin", "--body", cli.path("context.bin"),
			"--server-side-encryption", "aws:kms", "--ssekms-key-id", alias,
			"--ssekms-encryption-context", b64JSON(t, map[string]string{"project": "coffer", "stage": "test"}))
		if put.ServerSideEncryption != "aws:kms" || put.SSEKMSKeyId != key.Arn {
			t.Fatalf("put-object: %+v", put)
		}
		download(t, "ssekms", "context.bin", data)
		cli.fails(t, "InvalidArgument", "s3api", "put-object", "--bucket", "ssekms", "--key", "bad-context", "--body", cli.path("context.bin"),
			"--server-side-encryption", "aws:kms", "--ssekms-encryption-context", "not base64 JSON")
		cli.fails(t, "InvalidArgument", "s3api", "put-object", "--bucket", "ssekms", "--key", "kms-key-with-aes", "--body", cli.path("context.bin"),
			"--server-side-encryption", "AES256", "--ssekms-key-id", key.KeyId)
		cli.fails(t, "KMS.NotFoundException", "s3api", "put-object", "--bucket", "ssekms", "--key", "unknown-key", "--body", cli.path("context.bin"),
			"--server-side-encryption", "aws:kms", "--ssekms-key-id", "alias/never-made")
		for _, refused := range []string{"bad-context", "kms-key-with-aes", "unknown-key"} {
			if r := cli.run(t, "s3api", "head-object", "--bucket", "ssekms", "--key", refused); r.RC == 0 {
				t.Fatalf("a refused PUT left %s behind", refused)
			}
		}
	})

	t.Run("multipart", func(t *testing.T) {
		src, data := randomFile(t, t.TempDir(), "large.bin", 20<<20) // over the CLI's 8 MiB threshold
		cli.ok(t, "s3", "cp", src, "s3://ssekms/large.bin", "--sse", "aws:kms", "--sse-kms-key-id", alias)
		h := head(t, "ssekms", "large.bin")
		if h.ServerSideEncryption != "aws:kms" || h.SSEKMSKeyId != key.Arn || !strings.HasSuffix(h.ETag, `-3"`) {
			t.Fatalf("head-object of a 3-part upload: %+v", h)
		}
		download(t, "ssekms", "large.bin", data)
	})

	t.Run("copy", func(t *testing.T) {
		_, data := randomFile(t, cli.dir, "copy-src.bin", 70_000)
		cli.ok(t, "s3api", "put-object", "--bucket", "ssekms", "--key", "copy/sse-s3", "--body", cli.path("copy-src.bin"))
		cases := []struct {
			name, source, target string
			args                 []string
			want                 objectHead
		}{
			{name: "SSE-S3 to SSE-KMS", source: "copy/sse-s3", target: "copy/kms",
				args: []string{"--server-side-encryption", "aws:kms", "--ssekms-key-id", key.Arn},
				want: objectHead{ServerSideEncryption: "aws:kms", SSEKMSKeyId: key.Arn}},
			{name: "SSE-KMS to SSE-S3", source: "copy/kms", target: "copy/back-to-s3",
				args: []string{"--server-side-encryption", "AES256"},
				want: objectHead{ServerSideEncryption: "AES256", ETag: `"` + md5hex(data) + `"`}},
			{name: "SSE-KMS to another key by alias", source: "copy/kms", target: "copy/default-kms",
				args: []string{"--server-side-encryption", "aws:kms", "--ssekms-key-id", "alias/aws/s3"},
				want: objectHead{ServerSideEncryption: "aws:kms"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				cli.ok(t, append([]string{"s3api", "copy-object", "--bucket", "ssekms", "--key", tc.target,
					"--copy-source", "ssekms/" + tc.source}, tc.args...)...)
				h := head(t, "ssekms", tc.target)
				if h.ServerSideEncryption != tc.want.ServerSideEncryption || (tc.want.SSEKMSKeyId != "" && h.SSEKMSKeyId != tc.want.SSEKMSKeyId) ||
					(tc.want.ServerSideEncryption == "AES256" && h.SSEKMSKeyId != "") || (tc.want.ETag != "" && h.ETag != tc.want.ETag) {
					t.Fatalf("head-object: %+v, want %+v", h, tc.want)
				}
				if tc.want.ServerSideEncryption == "aws:kms" && tc.want.SSEKMSKeyId == "" && (h.SSEKMSKeyId == key.Arn || h.SSEKMSKeyId == "") {
					t.Fatalf("the copy kept the source's key: %+v", h)
				}
				download(t, "ssekms", tc.target, data)
			})
		}
	})

	t.Run("bucket default encryption with a bucket key", func(t *testing.T) {
		cli.ok(t, "s3", "mb", "s3://ssekms-default")
		config := `{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"` + key.Arn + `"},"BucketKeyEnabled":true}]}`
		cli.ok(t, "s3api", "put-bucket-encryption", "--bucket", "ssekms-default", "--server-side-encryption-configuration", config)
		type rule struct {
			ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm, KMSMasterKeyID string }
			BucketKeyEnabled                   bool
		}
		bucketEncryption := func(t *testing.T) []rule {
			t.Helper()
			var got struct{ ServerSideEncryptionConfiguration struct{ Rules []rule } }
			cli.json(t, &got, "s3api", "get-bucket-encryption", "--bucket", "ssekms-default")
			return got.ServerSideEncryptionConfiguration.Rules
		}
		put := func(t *testing.T, objectKey string, args ...string) objectHead {
			t.Helper()
			var out objectHead
			cli.json(t, &out, append([]string{"s3api", "put-object", "--bucket", "ssekms-default", "--key", objectKey,
				"--body", cli.path("default.bin")}, args...)...)
			return out
		}
		rules := bucketEncryption(t)
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "aws:kms" ||
			rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID != key.Arn || !rules[0].BucketKeyEnabled {
			t.Fatalf("get-bucket-encryption: %+v", rules)
		}
		_, data := randomFile(t, cli.dir, "default.bin", 3000)
		for _, objectKey := range []string{"first", "second"} {
			if out := put(t, objectKey); out.ServerSideEncryption != "aws:kms" || out.SSEKMSKeyId != key.Arn || !out.BucketKeyEnabled {
				t.Fatalf("put-object into a bucket defaulting to SSE-KMS: %+v", out)
			}
			if h := head(t, "ssekms-default", objectKey); h.ServerSideEncryption != "aws:kms" || h.SSEKMSKeyId != key.Arn || !h.BucketKeyEnabled {
				t.Fatalf("head-object: %+v", h)
			}
			download(t, "ssekms-default", objectKey, data)
		}
		// The request header overrides the bucket's bucket-key setting.
		if out := put(t, "no-bucket-key", "--server-side-encryption", "aws:kms", "--no-bucket-key-enabled"); out.ServerSideEncryption != "aws:kms" || out.BucketKeyEnabled {
			t.Fatalf("put-object --no-bucket-key-enabled: %+v", out)
		}

		cli.ok(t, "s3api", "delete-bucket-encryption", "--bucket", "ssekms-default")
		if rules := bucketEncryption(t); len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "AES256" ||
			rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID != "" || rules[0].BucketKeyEnabled {
			t.Fatalf("get-bucket-encryption after delete-bucket-encryption: %+v", rules)
		}
		if out := put(t, "after-reset"); out.ServerSideEncryption != "AES256" || out.SSEKMSKeyId != "" || out.ETag != `"`+md5hex(data)+`"` {
			t.Fatalf("put-object after delete-bucket-encryption: %+v", out)
		}
		download(t, "ssekms-default", "first", data) // older objects keep their KMS key
	})

	t.Run("disabled key", func(t *testing.T) {
		_, data := randomFile(t, cli.dir, "disabled.bin", 2000)
		cli.ok(t, "s3api", "put-object", "--bucket", "ssekms", "--key", "disabled.bin", "--body", cli.path("disabled.bin"),
			"--server-side-encryption", "aws:kms", "--ssekms-key-id", key.KeyId)
		cli.ok(t, "kms", "disable-key", "--key-id", key.KeyId)
		msg := cli.fails(t, "KMS.DisabledException", "s3api", "get-object", "--bucket", "ssekms", "--key", "disabled.bin", cli.path("nothing"))
		if !strings.Contains(msg, key.Arn+" is disabled.") {
			t.Fatalf("the error does not name the key: %s", msg)
		}
		cli.fails(t, "KMS.DisabledException", "s3api", "put-object", "--bucket", "ssekms", "--key", "while-disabled", "--body", cli.path("disabled.bin"),
			"--server-side-encryption", "aws:kms", "--ssekms-key-id", alias)
		cli.fails(t, "KMS.DisabledException", "s3api", "get-object", "--bucket", "ssekms", "--key", "large.bin", cli.path("nothing"))
		// HEAD needs no KMS call, so it still answers.
		if h := head(t, "ssekms", "disabled.bin"); h.SSEKMSKeyId != key.Arn {
			t.Fatalf("head-object of an object under a disabled key: %+v", h)
		}
		cli.ok(t, "kms", "enable-key", "--key-id", key.KeyId)
		download(t, "ssekms", "disabled.bin", data)
		cli.ok(t, "s3api", "put-object", "--bucket", "ssekms", "--key", "while-disabled", "--body", cli.path("disabled.bin"),
			"--server-side-encryption", "aws:kms", "--ssekms-key-id", alias)
	})

	t.Run("update-object-encryption", func(t *testing.T) {
		_, data := randomFile(t, cli.dir, "rekey.bin", 150_000)
		cli.ok(t, "s3api", "put-object", "--bucket", "ssekms", "--key", "rekey.bin", "--body", cli.path("rekey.bin"))
		before := head(t, "ssekms", "rekey.bin")
		if before.ServerSideEncryption != "AES256" {
			t.Fatalf("the object starts as %+v", before)
		}
		cli.ok(t, "s3api", "update-object-encryption", "--bucket", "ssekms", "--key", "rekey.bin",
			"--object-encryption", cliJSON(t, map[string]any{"SSEKMS": map[string]any{"KMSKeyArn": key.Arn, "BucketKeyEnabled": false}}))
		after := head(t, "ssekms", "rekey.bin")
		if after.ServerSideEncryption != "aws:kms" || after.SSEKMSKeyId != key.Arn || after.ETag != before.ETag ||
			after.LastModified != before.LastModified || after.ContentLength != before.ContentLength {
			t.Fatalf("update-object-encryption: before %+v, after %+v", before, after)
		}
		download(t, "ssekms", "rekey.bin", data)
		refusals := []struct{ name, arn, code string }{
			{name: "alias ARN", arn: aliasARN, code: "InvalidRequest"},
			{name: "unknown key", arn: "arn:aws:kms:" + testRegion + ":" + key.AWSAccountId + ":key/11111111-2222-3333-4444-555555555555",
				code: "KMS.NotFoundException"},
			{name: "another account's key", arn: "arn:aws:kms:" + testRegion + ":111122223333:key/" + key.KeyId, code: "AccessDenied"},
		}
		for _, tc := range refusals {
			cli.fails(t, tc.code, "s3api", "update-object-encryption", "--bucket", "ssekms", "--key", "rekey.bin",
				"--object-encryption", cliJSON(t, map[string]any{"SSEKMS": map[string]any{"KMSKeyArn": tc.arn}}))
		}
		if h := head(t, "ssekms", "rekey.bin"); h != after {
			t.Fatalf("refused updates changed the object: %+v, was %+v", h, after)
		}
		download(t, "ssekms", "rekey.bin", data)
	})
}
