package tests

import (
	"strings"
	"testing"
)

// TestSSECAWSCLI drives SSE-C with the aws CLI over HTTPS: `aws s3 cp`
// up and down with --sse-c, a copy that changes the key, a file large
// enough for the CLI to upload in parts, s3api calls with the key, and
// PutBucketEncryption's BlockedEncryptionTypes blocking SSE-C writes but
// not reads.
func TestSSECAWSCLI(t *testing.T) {
	s := startTLSServer(t, "--log-level", "debug")
	cli := newCLISession(t, s.httpsEndpoint, s.caPath)
	key, key2 := newSSECKey(t), newSSECKey(t)
	keyFile, key2File := cli.file(t, "key.bin", key.raw), cli.file(t, "key2.bin", key2.raw)
	withKey := []string{"--sse-c", "AES256", "--sse-c-key", keyFile}
	withKey2 := []string{"--sse-c", "AES256", "--sse-c-key", key2File}
	cp := func(t *testing.T, from, to string, opts ...string) {
		t.Helper()
		cli.ok(t, append([]string{"s3", "cp", from, to}, opts...)...)
	}
	cli.ok(t, "s3", "mb", "s3://ssec-cli")
	small := randomBytes("cli ssec small", 300_000)
	smallFile := strings.TrimPrefix(cli.file(t, "small.bin", small), "fileb://")

	t.Run("cp up and down", func(t *testing.T) {
		cp(t, smallFile, "s3://ssec-cli/small.bin", withKey...)
		cp(t, "s3://ssec-cli/small.bin", cli.path("small.down"), withKey...)
		assertFileEquals(t, cli.path("small.down"), small)
		if r := cli.run(t, "s3", "cp", "s3://ssec-cli/small.bin", cli.path("nokey.down")); r.RC == 0 || !strings.Contains(r.Stderr, "400") {
			t.Fatalf("download without the key: exit %d\n%s", r.RC, r.Stderr)
		}
		if r := cli.run(t, append([]string{"s3", "cp", "s3://ssec-cli/small.bin", cli.path("wrong.down")}, withKey2...)...); r.RC == 0 || !strings.Contains(r.Stderr, "403") {
			t.Fatalf("download with the wrong key: exit %d\n%s", r.RC, r.Stderr)
		}
	})

	// The forms the seed documents show: --sse-c with no value (the CLI
	// then means AES256) and the key as a plain string argument, which the
	// CLI sends as its bytes (so it must be 32 characters); --sse with no
	// value asks for SSE-S3.
	t.Run("seed document forms", func(t *testing.T) {
		textKey := "0123456789abcdefghijklmnopqrstuv"
		cp(t, smallFile, "s3://ssec-cli/seed.bin", "--sse-c", "--sse-c-key", textKey)
		cp(t, "s3://ssec-cli/seed.bin", cli.path("seed.down"), "--sse-c", "--sse-c-key", textKey)
		assertFileEquals(t, cli.path("seed.down"), small)
		if r := cli.run(t, "s3", "cp", smallFile, "s3://ssec-cli/seed-b64.bin", "--sse-c", "--sse-c-key", key.b64); r.RC == 0 || !strings.Contains(r.Stderr, "(InvalidArgument)") {
			t.Fatalf("a base64 text as the key (44 bytes, as on S3 refused): exit %d\n%s", r.RC, r.Stderr)
		}
		cp(t, smallFile, "s3://ssec-cli/seed-aes.bin", "--sse") // no value: AES256
	})

	t.Run("s3api with the key", func(t *testing.T) {
		var head struct {
			ContentLength        int64
			ETag                 string
			ServerSideEncryption string
			SSECustomerAlgorithm string
			SSECustomerKeyMD5    string
		}
		cli.json(t, &head, "s3api", "head-object", "--bucket", "ssec-cli", "--key", "small.bin",
			"--sse-customer-algorithm", "AES256", "--sse-customer-key", keyFile)
		if head.ContentLength != int64(len(small)) || head.SSECustomerAlgorithm != "AES256" || head.SSECustomerKeyMD5 != key.md5b64 ||
			head.ServerSideEncryption != "" || strings.Trim(head.ETag, `"`) == md5hex(small) {
			t.Fatalf("head-object: %+v (plaintext MD5 %s)", head, md5hex(small))
		}
		msg := cli.fails(t, "AccessDenied", "s3api", "get-object", "--bucket", "ssec-cli", "--key", "small.bin",
			"--sse-customer-algorithm", "AES256", "--sse-customer-key", key2File, cli.path("s3api.down"))
		if !strings.Contains(msg, msgSSECWrongKey) {
			t.Fatalf("get-object with the wrong key:\n%s", msg)
		}
		cli.ok(t, "s3api", "get-object", "--bucket", "ssec-cli", "--key", "small.bin",
			"--sse-customer-algorithm", "AES256", "--sse-customer-key", keyFile, cli.path("s3api.down"))
		assertFileEquals(t, cli.path("s3api.down"), small)
	})

	t.Run("copy to a new key", func(t *testing.T) {
		cp(t, "s3://ssec-cli/small.bin", "s3://ssec-cli/small-2.bin",
			"--sse-c-copy-source", "AES256", "--sse-c-copy-source-key", keyFile, "--sse-c", "AES256", "--sse-c-key", key2File)
		cp(t, "s3://ssec-cli/small-2.bin", cli.path("copy.down"), withKey2...)
		assertFileEquals(t, cli.path("copy.down"), small)
		if r := cli.run(t, append([]string{"s3", "cp", "s3://ssec-cli/small-2.bin", cli.path("copy-old.down")}, withKey...)...); r.RC == 0 || !strings.Contains(r.Stderr, "403") {
			t.Fatalf("the copy opened with the source's key: exit %d\n%s", r.RC, r.Stderr)
		}
	})

	t.Run("large file in parts", func(t *testing.T) {
		big := randomBytes("cli ssec big", 20<<20)
		bigFile := strings.TrimPrefix(cli.file(t, "big.bin", big), "fileb://")
		cp(t, bigFile, "s3://ssec-cli/big.bin", withKey...)
		var head struct{ ETag, SSECustomerKeyMD5 string }
		cli.json(t, &head, "s3api", "head-object", "--bucket", "ssec-cli", "--key", "big.bin",
			"--sse-customer-algorithm", "AES256", "--sse-customer-key", keyFile)
		if !strings.HasSuffix(strings.Trim(head.ETag, `"`), "-3") || head.SSECustomerKeyMD5 != key.md5b64 {
			t.Fatalf("the CLI did not upload 20 MiB in 3 parts with the key: %+v", head)
		}
		cp(t, "s3://ssec-cli/big.bin", cli.path("big.down"), withKey...)
		assertFileEquals(t, cli.path("big.down"), big)
	})

	t.Run("bucket encryption blocks SSE-C writes", func(t *testing.T) {
		cli.ok(t, "s3", "mb", "s3://ssec-cli-blocked")
		cp(t, smallFile, "s3://ssec-cli-blocked/before.bin", withKey...)
		cli.ok(t, "s3api", "put-bucket-encryption", "--bucket", "ssec-cli-blocked", "--server-side-encryption-configuration",
			`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":false,"BlockedEncryptionTypes":{"EncryptionType":["SSE-C"]}}]}`)
		rules := bucketEncryptionRules(t, cli, "ssec-cli-blocked")
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "AES256" ||
			strings.Join(rules[0].BlockedEncryptionTypes.EncryptionType, ",") != "SSE-C" {
			t.Fatalf("get-bucket-encryption: %+v", rules)
		}
		for _, args := range [][]string{
			append([]string{"s3", "cp", smallFile, "s3://ssec-cli-blocked/after.bin"}, withKey...),
			{"s3api", "put-object", "--bucket", "ssec-cli-blocked", "--key", "after.bin", "--body", smallFile,
				"--sse-customer-algorithm", "AES256", "--sse-customer-key", keyFile},
		} {
			r := cli.run(t, args...)
			if r.RC == 0 || !strings.Contains(r.Stderr, "(AccessDenied)") || !strings.Contains(r.Stderr, msgSSECBlocked) {
				t.Fatalf("aws %s: exit %d, want AccessDenied for a blocked type:\n%s", strings.Join(args[:2], " "), r.RC, r.Stderr)
			}
		}
		cli.fails(t, "404", "s3api", "head-object", "--bucket", "ssec-cli-blocked", "--key", "after.bin")
		cp(t, "s3://ssec-cli-blocked/before.bin", cli.path("before.down"), withKey...) // reads still work
		assertFileEquals(t, cli.path("before.down"), small)
		cp(t, smallFile, "s3://ssec-cli-blocked/sse-s3.bin") // and so do other types

		cli.ok(t, "s3api", "put-bucket-encryption", "--bucket", "ssec-cli-blocked", "--server-side-encryption-configuration",
			`{"Rules":[{"BlockedEncryptionTypes":{"EncryptionType":["NONE"]}}]}`)
		if rules := bucketEncryptionRules(t, cli, "ssec-cli-blocked"); len(rules) != 1 || strings.Join(rules[0].BlockedEncryptionTypes.EncryptionType, ",") == "SSE-C" {
			t.Fatalf("get-bucket-encryption after unblocking: %+v", rules)
		}
		cp(t, smallFile, "s3://ssec-cli-blocked/after.bin", withKey...)
	})

	assertNoCustomerKeys(t, s.server, "big.bin", key, key2)
}

// bucketEncryptionRule is one rule as `aws s3api get-bucket-encryption`
// prints it.
type bucketEncryptionRule struct {
	ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm, KMSMasterKeyID string }
	BucketKeyEnabled                   bool
	BlockedEncryptionTypes             struct{ EncryptionType []string }
}

func bucketEncryptionRules(t *testing.T, cli *cliSession, bucket string) []bucketEncryptionRule {
	t.Helper()
	var got struct {
		ServerSideEncryptionConfiguration struct{ Rules []bucketEncryptionRule }
	}
	cli.json(t, &got, "s3api", "get-bucket-encryption", "--bucket", bucket)
	return got.ServerSideEncryptionConfiguration.Rules
}
