package tests

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/chromedp/chromedp"
)

// A file over 16 MiB goes from the console as a multipart upload through
// the proxy: 16 MiB parts under the chosen SSE-KMS key, completed into one
// object; a denied CreateMultipartUpload shows the API's error and leaves
// no upload behind.
func TestConsoleMultipartUpload(t *testing.T) {
	s := startTLSServer(t)
	root := newCLISession(t, s.httpsEndpoint, s.caPath)
	client := sdkClientAt(s.httpsEndpoint, httpsClient(trustedPool(t, s.caPath)))
	ctx := context.Background()
	const bucket = "big-uploads"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	var key struct{ KeyMetadata struct{ KeyId, Arn string } }
	root.json(t, &key, "kms", "create-key", "--description", "key of the big uploads")
	root.ok(t, "kms", "create-alias", "--alias-name", "alias/big-key", "--target-key-id", key.KeyMetadata.KeyId)
	keyARN := key.KeyMetadata.Arn

	// Three parts: 16 MiB, 16 MiB and the rest.
	data := make([]byte, 40<<20+12345)
	rng := rand.New(rand.NewChaCha8([32]byte{'c', 'o', 'f', 'f', 'e', 'r'}))
	for i := 0; i+8 <= len(data); i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			data[i+j] = byte(v >> (8 * j))
		}
	}
	bigPath := writeFile(t, "big.bin", data)

	b := newBrowser(t, s)
	b.open("#/buckets/" + bucket + "/objects")
	b.signIn(rootAccessKey, rootSecretKey)

	// pendingUploads are the bucket's multipart uploads not completed or aborted.
	pendingUploads := func(t *testing.T) []types.MultipartUpload {
		t.Helper()
		out, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatalf("ListMultipartUploads: %v", err)
		}
		return out.Uploads
	}

	t.Run("SSE-KMS under a chosen key", func(t *testing.T) {
		b := b.in(t)
		b.do("choose SSE-KMS",
			chromedp.WaitVisible(tid("upload-panel")),
			chromedp.SetValue(tid("upload-encryption"), "aws:kms"))
		b.waitFor("the key picker", `!!document.querySelector('[data-testid="upload-key"] option[value=`+jsString(keyARN)+`]')`)
		b.do("pick the key and upload a 40 MiB file",
			chromedp.SetValue(tid("upload-key"), keyARN),
			chromedp.SetUploadFiles(tid("upload-input"), []string{bigPath}),
			chromedp.WaitVisible(`[data-testid="upload-item"][data-name="big.bin"]`),
			chromedp.Click(tid("upload-submit")))
		item := `[data-testid="upload-item"][data-name="big.bin"]`
		b.waitFor("the upload to finish", `!!document.querySelector('`+item+`:is([data-state="done"], [data-state="failed"])')`)
		if state := eval[string](b, "the upload's state", `document.querySelector('`+item+`').dataset.state`); state != "done" {
			t.Fatalf("the upload ended %s: %s", state, b.textNow(within(item, tid("upload-status"))))
		}
		if got := b.text(within(item, tid("upload-status"))); got != "Uploaded · SSE-KMS" {
			t.Fatalf("the upload's status reads %q", got)
		}
		b.waitText(within(objectRow("big.bin"), tid("object-encryption")), "SSE-KMS (alias/big-key)")
		b.shot("multipart upload done")

		head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("big.bin")})
		if err != nil {
			t.Fatalf("HeadObject: %v", err)
		}
		if aws.ToInt64(head.ContentLength) != int64(len(data)) {
			t.Errorf("size %d, want %d", aws.ToInt64(head.ContentLength), len(data))
		}
		if head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != keyARN {
			t.Errorf("encryption %q under %q, want aws:kms under %s", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId), keyARN)
		}
		if etag := aws.ToString(head.ETag); !strings.HasSuffix(etag, `-3"`) {
			t.Errorf("ETag %s, want the ETag of a 3-part upload", etag)
		}
		obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("big.bin")})
		if err != nil {
			t.Fatalf("GetObject: %v", err)
		}
		got, err := io.ReadAll(obj.Body)
		obj.Body.Close()
		if err != nil {
			t.Fatalf("GetObject body: %v", err)
		}
		if len(got) != len(data) || sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("the object's %d bytes differ from the %d uploaded", len(got), len(data))
		}
		if ups := pendingUploads(t); len(ups) != 0 {
			t.Fatalf("uploads left after completing: %d", len(ups))
		}
	})

	// failedUpload uploads the big file again with the bucket default and
	// returns the error banner's code and message.
	failedUpload := func(b *browser, name string) (string, string) {
		b.t.Helper()
		b.open("#/buckets/" + bucket + "/objects")
		path := writeFile(b.t, name, data)
		b.do("upload "+name+" with the bucket default",
			chromedp.WaitVisible(tid("upload-panel")),
			chromedp.SetUploadFiles(tid("upload-input"), []string{path}),
			chromedp.WaitVisible(`[data-testid="upload-item"][data-name=`+cssString(name)+`]`),
			chromedp.Click(tid("upload-submit")))
		item := `[data-testid="upload-item"][data-name=` + cssString(name) + `]`
		b.waitFor("the upload to fail", `!!document.querySelector('`+item+`[data-state="failed"] [data-testid="upload-error"]')`)
		b.shot("upload of " + name + " failed")
		return b.text(within(item, tid("error-code"))), b.text(within(item, tid("error-message")))
	}
	putPolicy := func(t *testing.T, statement map[string]any) {
		t.Helper()
		_, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(cliJSON(t, policyDoc(statement)))})
		if err != nil {
			t.Fatalf("PutBucketPolicy: %v", err)
		}
	}

	t.Run("CreateMultipartUpload denied", func(t *testing.T) {
		b := b.in(t)
		putPolicy(t, map[string]any{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::" + bucket + "/*"})
		code, message := failedUpload(b, "denied.bin")
		_, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("denied.bin")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
			t.Fatalf("CreateMultipartUpload through the SDK under the policy: %v", err)
		}
		if code != "AccessDenied" || message != apiErr.ErrorMessage() {
			t.Fatalf("the console shows %s %q, want the API's AccessDenied %q", code, message, apiErr.ErrorMessage())
		}
		if ups := pendingUploads(t); len(ups) != 0 {
			t.Fatalf("uploads left after a denied CreateMultipartUpload: %d", len(ups))
		}
	})

	// The parts carry the upload's encryption as a condition key (multipart
	// follows the upload) while CreateMultipartUpload, sent without an
	// encryption header, carries none: a Deny on the key being present lets
	// the upload start and refuses its parts, and the console must abort it.
	t.Run("a denied part aborts the upload", func(t *testing.T) {
		b := b.in(t)
		putPolicy(t, map[string]any{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::" + bucket + "/*",
			"Condition": map[string]any{"Null": map[string]any{"s3:x-amz-server-side-encryption": "false"}}})
		if code, _ := failedUpload(b, "parts-denied.bin"); code != "AccessDenied" {
			t.Fatalf("the console shows %s, want AccessDenied", code)
		}
		if ups := pendingUploads(t); len(ups) != 0 {
			t.Fatalf("the console left %d uploads behind after a denied part", len(ups))
		}
	})
}
