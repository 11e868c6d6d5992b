package tests

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"
)

// The web console end to end, in a real browser against the real binary:
// the encryption hands-on lab, a denied action, key rotation, and what the
// page keeps after sign-in.

// objectRow selects the Objects tab's row of key.
func objectRow(key string) string {
	return `[data-testid="object-row"][data-key=` + cssString(key) + `]`
}

// writeFile writes a scratch file for an upload and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The lab: sign in as root, create a bucket, turn on default SSE-S3 in
// Properties, upload a file, create a KMS key, upload another file with
// SSE-KMS under that key, read SSE-S3 and SSE-KMS in the encryption
// column, and confirm through the S3 API that both are encrypted so.
func TestConsoleEncryptionLab(t *testing.T) {
	s := startTLSServer(t)
	root := newCLISession(t, s.httpsEndpoint, s.caPath)
	b := newBrowser(t, s)
	const bucket = "lab-bucket"
	report := []byte("quarterly report: nothing to see\n")
	secret := []byte("the launch codes are 0000\n")
	reportPath := writeFile(t, "report.txt", report)
	secretPath := writeFile(t, "secret.txt", secret)

	b.open("")
	b.do("the sign-in page", chromedp.WaitVisible(tid("signin-form")))
	b.shot("sign-in page")
	b.signIn(rootAccessKey, rootSecretKey)
	if who := b.text(tid("whoami")); !strings.HasSuffix(who, ":root") {
		t.Fatalf("signed in as %q, want the root user", who)
	}
	b.shot("signed in as root")

	bucketRow := `[data-testid="bucket-row"][data-bucket="` + bucket + `"]`
	b.do("create the bucket",
		chromedp.WaitVisible(tid("bucket-create-form")),
		chromedp.SendKeys(tid("bucket-create-name"), bucket),
		chromedp.Click(tid("bucket-create-submit")))
	b.waitText(tid("notice"), "Bucket "+bucket+" created")
	b.waitText(within(bucketRow, tid("bucket-encryption")), "SSE-S3")
	b.shot("bucket created")

	t.Run("default encryption in Properties", func(t *testing.T) {
		b := b.in(t)
		b.do("open the Properties tab",
			chromedp.Click(within(bucketRow, tid("bucket-link"))),
			chromedp.WaitVisible(tid("tab-properties")),
			chromedp.Click(tid("tab-properties")),
			chromedp.WaitVisible(tid("encryption-edit")))
		b.do("edit default encryption: SSE-S3, SSE-C blocked",
			chromedp.Click(tid("encryption-edit")),
			chromedp.WaitVisible(tid("encryption-form")),
			chromedp.Click(tid("encryption-sse-s3")),
			chromedp.Click(tid("encryption-block-ssec")))
		b.shot("editing default encryption")
		b.do("save", chromedp.Click(tid("encryption-save")))
		b.waitText(tid("notice"), "Default encryption saved")
		b.waitText(tid("encryption-type"), "SSE-S3")
		b.waitText(tid("encryption-ssec"), "Blocked")
		b.shot("default encryption saved")
		var enc struct {
			ServerSideEncryptionConfiguration struct {
				Rules []struct {
					ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm string }
					BlockedEncryptionTypes             struct{ EncryptionType []string }
				}
			}
		}
		root.json(t, &enc, "s3api", "get-bucket-encryption", "--bucket", bucket)
		rules := enc.ServerSideEncryptionConfiguration.Rules
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "AES256" ||
			strings.Join(rules[0].BlockedEncryptionTypes.EncryptionType, ",") != "SSE-C" {
			t.Fatalf("the bucket's encryption after Save: %+v", enc)
		}
	})

	t.Run("upload with the bucket default", func(t *testing.T) {
		b := b.in(t)
		b.do("choose a file",
			chromedp.Click(tid("tab-objects")),
			chromedp.WaitVisible(tid("upload-panel")),
			chromedp.SetUploadFiles(tid("upload-input"), []string{reportPath}),
			chromedp.WaitVisible(tid("upload-item")),
			chromedp.Click(tid("upload-submit")))
		b.waitFor("the upload to finish", `!!document.querySelector('[data-testid="upload-item"][data-name="report.txt"][data-state="done"]')`)
		b.waitText(within(objectRow("report.txt"), tid("object-encryption")), "SSE-S3")
		b.shot("uploaded with the bucket default")
	})

	var keyARN string
	t.Run("create a KMS key", func(t *testing.T) {
		b := b.in(t)
		b.do("create a key with an alias",
			chromedp.Click(tid("nav-keys")),
			chromedp.WaitVisible(tid("key-create-form")),
			chromedp.SendKeys(tid("key-create-alias"), "alias/lab-key"),
			chromedp.SendKeys(tid("key-create-description"), "Key of the encryption lab"),
			chromedp.Click(tid("key-create-submit")))
		b.waitText(tid("notice"), "alias alias/lab-key")
		b.waitText(`[data-testid="key-row"][data-alias="alias/lab-key"] [data-testid="key-state"]`, "Enabled")
		b.shot("key created")
		var key struct {
			KeyMetadata struct{ Arn, Description string }
		}
		root.json(t, &key, "kms", "describe-key", "--key-id", "alias/lab-key")
		if key.KeyMetadata.Description != "Key of the encryption lab" {
			t.Fatalf("the key made in the console: %+v", key)
		}
		keyARN = key.KeyMetadata.Arn
	})
	if keyARN == "" {
		t.FailNow()
	}

	t.Run("a bucket with default SSE-KMS", func(t *testing.T) {
		b := b.in(t)
		kmsRow := `[data-testid="bucket-row"][data-bucket="lab-kms-bucket"]`
		b.do("create a bucket encrypted under the lab key",
			chromedp.Click(tid("nav-buckets")),
			chromedp.WaitVisible(tid("bucket-create-form")),
			chromedp.SendKeys(tid("bucket-create-name"), "lab-kms-bucket"),
			chromedp.SetValue(tid("bucket-create-encryption"), "aws:kms"))
		b.waitFor("the key picker", `!!document.querySelector('[data-testid="bucket-create-key"] option[value=`+jsString(keyARN)+`]')`)
		b.do("pick the key and create",
			chromedp.SetValue(tid("bucket-create-key"), keyARN),
			chromedp.Click(tid("bucket-create-submit")))
		b.waitText(within(kmsRow, tid("bucket-encryption")), "SSE-KMS (alias/lab-key)")
		b.shot("bucket with default SSE-KMS")
		var enc struct {
			ServerSideEncryptionConfiguration struct {
				Rules []struct {
					ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm, KMSMasterKeyID string }
					BucketKeyEnabled                   bool
				}
			}
		}
		root.json(t, &enc, "s3api", "get-bucket-encryption", "--bucket", "lab-kms-bucket")
		rules := enc.ServerSideEncryptionConfiguration.Rules
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "aws:kms" ||
			rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID != keyARN || !rules[0].BucketKeyEnabled {
			t.Fatalf("the bucket made with default SSE-KMS: %+v", enc)
		}
	})

	t.Run("upload with SSE-KMS by drag and drop", func(t *testing.T) {
		b := b.in(t)
		b.open("#/buckets/" + bucket + "/objects")
		b.do("choose SSE-KMS",
			chromedp.WaitVisible(tid("upload-panel")),
			chromedp.SetValue(tid("upload-encryption"), "aws:kms"))
		b.waitFor("the key picker", `!!document.querySelector('[data-testid="upload-key"] option[value=`+jsString(keyARN)+`]')`)
		b.do("pick the lab key", chromedp.SetValue(tid("upload-key"), keyARN))
		b.dropFiles(tid("upload-dropzone"), secretPath)
		b.do("upload the dropped file",
			chromedp.WaitVisible(`[data-testid="upload-item"][data-name="secret.txt"]`),
			chromedp.Click(tid("upload-submit")))
		b.waitFor("the upload to finish", `!!document.querySelector('[data-testid="upload-item"][data-name="secret.txt"][data-state="done"]')`)
		b.waitText(within(objectRow("secret.txt"), tid("object-encryption")), "SSE-KMS (alias/lab-key)")
		b.waitText(within(objectRow("report.txt"), tid("object-encryption")), "SSE-S3")
		if got := b.text(within(objectRow("report.txt"), tid("object-encryption"))); got != "SSE-S3" {
			t.Fatalf("report.txt's encryption column reads %q", got)
		}
		b.shot("the server-side encryption column")
	})

	t.Run("object details", func(t *testing.T) {
		b := b.in(t)
		b.do("open the object",
			chromedp.Click(within(objectRow("secret.txt"), tid("object-link"))),
			chromedp.WaitVisible(tid("detail-kms-key")))
		if got := b.text(tid("detail-kms-key")); got != keyARN {
			t.Fatalf("the object page shows key %q, want %s", got, keyARN)
		}
		b.waitText(tid("detail-encryption"), "SSE-KMS")
		b.waitText(tid("detail-kms-alias"), "alias/lab-key")
		b.shot("object details")
		got := eval[string](b, "download through the console", `fetch(document.querySelector('[data-testid="detail-download"]').href).then(r => r.text())`)
		if got != string(secret) {
			t.Fatalf("downloaded %q through the console, want %q", got, secret)
		}
	})

	t.Run("the S3 API agrees", func(t *testing.T) {
		client := sdkClientAt(s.httpsEndpoint, httpsClient(trustedPool(t, s.caPath)))
		ctx := context.Background()
		for _, want := range []struct {
			key  string
			sse  types.ServerSideEncryption
			kms  string
			data []byte
		}{
			{"report.txt", types.ServerSideEncryptionAes256, "", report},
			{"secret.txt", types.ServerSideEncryptionAwsKms, keyARN, secret},
		} {
			head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(want.key)})
			if err != nil {
				t.Fatalf("HeadObject %s: %v", want.key, err)
			}
			if head.ServerSideEncryption != want.sse || aws.ToString(head.SSEKMSKeyId) != want.kms {
				t.Fatalf("%s: ServerSideEncryption %q, key %q; the console showed %s %s", want.key, head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId), want.sse, want.kms)
			}
			obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(want.key)})
			if err != nil {
				t.Fatalf("GetObject %s: %v", want.key, err)
			}
			data, err := io.ReadAll(obj.Body)
			obj.Body.Close()
			if err != nil || !bytes.Equal(data, want.data) {
				t.Fatalf("GetObject %s: %q, %v", want.key, data, err)
			}
		}
	})

	t.Run("folders, SSE-C and client-side objects", func(t *testing.T) {
		b := b.in(t)
		root.ok(t, "s3api", "create-bucket", "--bucket", "lab-misc")
		body := root.file(t, "misc.txt", []byte("misc bytes"))
		customerKey := root.file(t, "customer.key", bytes.Repeat([]byte{7}, 32))
		root.ok(t, "s3api", "put-object", "--bucket", "lab-misc", "--key", "reports/plain & simple.txt", "--body", strings.TrimPrefix(body, "fileb://"))
		root.ok(t, "s3api", "put-object", "--bucket", "lab-misc", "--key", "reports/2026 q1+final.txt", "--body", strings.TrimPrefix(body, "fileb://"),
			"--sse-customer-algorithm", "AES256", "--sse-customer-key", customerKey)
		root.ok(t, "s3api", "put-object", "--bucket", "lab-misc", "--key", "reports/cse.bin", "--body", strings.TrimPrefix(body, "fileb://"),
			"--metadata", "x-amz-key-v2=AQIDBA==,x-amz-cek-alg=AES/GCM/NoPadding,x-amz-wrap-alg=kms+context")
		b.open("#/buckets/lab-misc/objects")
		b.do("open the folder",
			chromedp.WaitVisible(`[data-testid="folder-row"][data-prefix="reports/"]`),
			chromedp.Click(within(`[data-testid="folder-row"][data-prefix="reports/"]`, tid("folder-link"))))
		b.waitText(within(objectRow("reports/plain & simple.txt"), tid("object-encryption")), "SSE-S3")
		b.waitText(within(objectRow("reports/2026 q1+final.txt"), tid("object-encryption")), "SSE-C")
		b.waitText(within(objectRow("reports/cse.bin"), tid("object-encryption")), "Client-side")
		b.shot("folder with SSE-C and client-side objects")
		b.do("delete an object",
			chromedp.Click(within(objectRow("reports/cse.bin"), tid("object-delete"))),
			chromedp.Click(within(objectRow("reports/cse.bin"), tid("object-delete-confirm"))))
		b.waitText(tid("notice"), "Deleted reports/cse.bin")
		root.fails(t, "404", "s3api", "head-object", "--bucket", "lab-misc", "--key", "reports/cse.bin")
		b.do("open an object whose name needs escaping",
			chromedp.Click(within(objectRow("reports/plain & simple.txt"), tid("object-link"))),
			chromedp.WaitVisible(tid("detail-key")))
		if got := b.text(tid("detail-key")); got != "reports/plain & simple.txt" {
			t.Fatalf("the object page shows key %q", got)
		}
		got := eval[string](b, "download through the console", `fetch(document.querySelector('[data-testid="detail-download"]').href).then(r => r.text())`)
		if got != "misc bytes" {
			t.Fatalf("downloaded %q", got)
		}
	})

	t.Run("bucket policy from a template", func(t *testing.T) {
		b := b.in(t)
		b.open("#/buckets/" + bucket + "/permissions")
		b.do("try to save a policy without an action",
			chromedp.WaitVisible(tid("policy-editor")),
			chromedp.SetValue(tid("policy-editor"), `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Resource":"arn:aws:s3:::`+bucket+`/*"}]}`),
			chromedp.Click(tid("policy-save")))
		b.waitText(tid("policy-editor-validation"), "exactly one of Action and NotAction")
		b.shot("invalid policy refused before saving")
		root.fails(t, "NoSuchBucketPolicy", "s3api", "get-bucket-policy", "--bucket", bucket)
		b.do("start again from the TLS-only template",
			chromedp.SetValue(tid("policy-editor"), `{"Version":"2012-10-17","Statement":[]}`),
			chromedp.Click(tid("policy-template-deny-non-tls")))
		b.waitText(tid("policy-editor-validation"), "valid")
		b.do("save the policy", chromedp.Click(tid("policy-save")))
		b.waitText(tid("notice"), "Bucket policy saved")
		b.shot("bucket policy saved")
		var policy struct{ Policy string }
		root.json(t, &policy, "s3api", "get-bucket-policy", "--bucket", bucket)
		if !strings.Contains(policy.Policy, "DenyInsecureTransport") || !strings.Contains(policy.Policy, "aws:SecureTransport") {
			t.Fatalf("the saved bucket policy: %s", policy.Policy)
		}
	})

	t.Run("audit shows the key's use", func(t *testing.T) {
		b := b.in(t)
		b.open("#/audit?key=" + url.QueryEscape(keyARN))
		b.waitFor("the usage chart", `document.querySelectorAll('[data-testid="audit-chart-bar"]').length > 0`)
		b.waitText(tid("audit-chart-legend"), "alias/lab-key")
		b.waitText(tid("audit-table"), "GenerateDataKey")
		b.shot("audit of the lab key")
	})
}

// A user whose policies do not allow an action sees the API's denial,
// code and message, where the action was tried.
func TestConsoleDeniedActionShown(t *testing.T) {
	s := startTLSServer(t)
	root := newCLISession(t, s.httpsEndpoint, s.caPath)
	root.ok(t, "s3api", "create-bucket", "--bucket", "team-data")
	viewer := createUser(t, root, "viewer")
	root.ok(t, "iam", "put-user-policy", "--user-name", "viewer", "--policy-name", "look-only", "--policy-document", cliJSON(t, policyDoc(
		map[string]any{"Effect": "Allow", "Action": []string{"s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetEncryptionConfiguration", "s3:GetObject"}, "Resource": "*"},
		map[string]any{"Effect": "Allow", "Action": []string{"kms:ListKeys", "kms:ListAliases", "kms:DescribeKey"}, "Resource": "*"},
	)))
	b := newBrowser(t, s)
	b.open("")
	b.signIn(viewer.AccessKeyID, viewer.SecretAccessKey)
	if who := b.text(tid("whoami")); !strings.Contains(who, viewer.ARN) {
		t.Fatalf("signed in as %q, want %s", who, viewer.ARN)
	}
	b.waitText(`[data-testid="bucket-row"][data-bucket="team-data"] [data-testid="bucket-encryption"]`, "SSE-S3")
	b.shot("signed in as a restricted user")

	t.Run("create a bucket", func(t *testing.T) {
		b := b.in(t)
		b.do("try to create a bucket",
			chromedp.SendKeys(tid("bucket-create-name"), "viewer-bucket"),
			chromedp.Click(tid("bucket-create-submit")),
			chromedp.WaitVisible(tid("error-banner")))
		if code := b.text(within(`[data-testid="error-banner"]`, tid("error-code"))); code != "AccessDenied" {
			t.Fatalf("the banner shows %q, want AccessDenied", code)
		}
		if msg := b.text(within(`[data-testid="error-banner"]`, tid("error-message"))); msg == "" {
			t.Fatal("the AccessDenied banner has no message")
		}
		b.shot("create bucket denied")
		root.fails(t, "404", "s3api", "head-bucket", "--bucket", "viewer-bucket")
	})

	t.Run("read a bucket policy", func(t *testing.T) {
		b := b.in(t)
		b.open("#/buckets/team-data/permissions")
		b.do("the policy panel", chromedp.WaitVisible(within(`[data-testid="policy-panel"]`, tid("error-banner"))))
		if code := b.text(within(`[data-testid="policy-panel"]`, tid("error-code"))); code != "AccessDenied" {
			t.Fatalf("the policy panel shows %q, want AccessDenied", code)
		}
		b.shot("get bucket policy denied")
	})
}

// Key rotation from the Keys page: automatic rotation on, rotate now,
// and the rotation history; then deletion scheduled and cancelled.
func TestConsoleKeyRotation(t *testing.T) {
	s := startTLSServer(t)
	root := newCLISession(t, s.httpsEndpoint, s.caPath)
	var key struct{ KeyMetadata struct{ KeyId, Arn string } }
	root.json(t, &key, "kms", "create-key", "--description", "rotating key")
	root.ok(t, "kms", "create-alias", "--alias-name", "alias/rotating", "--target-key-id", key.KeyMetadata.KeyId)

	b := newBrowser(t, s)
	b.open("#/keys")
	b.signIn(rootAccessKey, rootSecretKey)
	row := `[data-testid="key-row"][data-alias="alias/rotating"]`
	b.do("open the key",
		chromedp.Click(within(row, tid("key-link"))),
		chromedp.WaitVisible(tid("rotation-panel")))
	b.waitText(tid("rotation-status"), "off")
	b.waitText(tid("rotation-history-empty"), "not been rotated")
	b.shot("key before rotation")

	b.do("turn on automatic rotation", chromedp.Click(tid("rotation-enable")))
	b.waitText(tid("notice"), "Automatic rotation turned on")
	b.waitText(tid("rotation-status"), "every 365 days")

	b.do("rotate now", chromedp.Click(tid("rotate-now")))
	b.waitText(tid("notice"), "On-demand rotation started")
	b.waitText(within(`[data-testid="rotation-row"]`, tid("rotation-type")), "On demand")
	b.shot("rotation history")
	var rotations struct {
		Rotations []struct{ RotationType string }
	}
	root.json(t, &rotations, "kms", "list-key-rotations", "--key-id", key.KeyMetadata.KeyId)
	if len(rotations.Rotations) != 1 || rotations.Rotations[0].RotationType != "ON_DEMAND" {
		t.Fatalf("list-key-rotations after Rotate now: %+v", rotations)
	}
	var status struct{ KeyRotationEnabled bool }
	root.json(t, &status, "kms", "get-key-rotation-status", "--key-id", key.KeyMetadata.KeyId)
	if !status.KeyRotationEnabled {
		t.Fatal("automatic rotation is off after the console turned it on")
	}

	t.Run("schedule and cancel deletion", func(t *testing.T) {
		b := b.in(t)
		b.do("schedule deletion in 7 days",
			chromedp.SetValue(tid("deletion-window"), "7"),
			chromedp.Click(tid("deletion-schedule")),
			chromedp.Click(tid("deletion-schedule-confirm")))
		b.waitText(tid("key-state"), "PendingDeletion")
		b.waitText(tid("deletion-status"), "will be deleted on")
		b.shot("deletion scheduled")
		b.do("cancel deletion", chromedp.Click(tid("deletion-cancel")))
		b.waitText(tid("key-state"), "Disabled")
		b.do("enable the key", chromedp.Click(tid("key-enable")))
		b.waitText(tid("key-state"), "Enabled")
		b.shot("deletion cancelled")
	})
}
