package s3api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cofferlabs/coffer/dare"
)

// TestCorruptDataNeverReadsClean flips one stored byte and checks what
// clients see: an error before the first byte when the first package is
// bad, a broken transfer (never a clean short or wrong body) when a later
// one is.
func TestCorruptDataNeverReadsClean(t *testing.T) {
	env := newTestEnv(t)
	client := env.sdk(t)
	ctx := context.Background()
	createBucket(t, client, "rot")
	data := randomBytes(5*dare.PackageSize+123, 41)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rot"), Key: aws.String("obj"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	stored := int64(dare.PackageSize + dare.PackageOverhead)

	t.Run("late package", func(t *testing.T) {
		env.store.flipAt.Store(3*stored + 1000 + 1)
		defer env.store.flipAt.Store(0)
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rot"), Key: aws.String("obj")})
		if err != nil {
			t.Fatalf("headers should arrive before the bad package: %v", err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err == nil {
			t.Fatalf("read %d bytes cleanly from corrupt data", len(got))
		}
		if len(got) > 3*dare.PackageSize || !bytes.Equal(got, data[:len(got)]) {
			t.Fatalf("delivered %d bytes, some unauthenticated", len(got))
		}
		// A range that avoids the bad package still reads.
		out, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rot"), Key: aws.String("obj"), Range: aws.String("bytes=0-99")})
		if err != nil || !bytes.Equal(readAll(t, out.Body), data[:100]) {
			t.Fatalf("clean range: %v", err)
		}
	})

	t.Run("first package", func(t *testing.T) {
		env.store.flipAt.Store(100 + 1)
		defer env.store.flipAt.Store(0)
		_, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rot"), Key: aws.String("obj")})
		wantCode(t, err, "InternalError")
		// HEAD decrypts nothing and still answers.
		if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rot"), Key: aws.String("obj")}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("raw client sees a short transfer", func(t *testing.T) {
		env.store.flipAt.Store(2*stored + 5 + 1)
		defer env.store.flipAt.Store(0)
		r := signedRequest(t, "GET", env.url("/rot/obj"), nil, nil)
		resp, err := env.server.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(data)) {
			t.Fatalf("status %d length %d", resp.StatusCode, resp.ContentLength)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		if err == nil || n >= int64(len(data)) {
			t.Fatalf("copied %d of %d bytes, err %v", n, len(data), err)
		}
	})

	logs := env.logs.String()
	if !strings.Contains(logs, `"code":"InternalError"`) || !strings.Contains(logs, "authentication") {
		t.Errorf("corruption not logged with its cause:\n%s", logs)
	}
}
