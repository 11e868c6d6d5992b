package postpolicy

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// expandFilename does the caller's ${filename} substitution.
func expandFilename(fields map[string]string, filename string) map[string]string {
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[k] = strings.ReplaceAll(v, "${filename}", filename)
	}
	return out
}

func TestMinioPresignedPostPolicy(t *testing.T) {
	mc, err := minio.New("127.0.0.1:9", &minio.Options{
		Creds:  credentials.NewStaticV4(testAccessKey, testSecret, ""),
		Region: testRegion,
	})
	if err != nil {
		t.Fatal(err)
	}
	pp := minio.NewPostPolicy()
	for _, err := range []error{
		pp.SetBucket("bucket"),
		pp.SetKeyStartsWith("photos/"),
		pp.SetExpires(time.Now().UTC().Add(10 * time.Minute)),
		pp.SetContentType("image/jpeg"),
		pp.SetContentLengthRange(10, 4096),
		pp.SetUserMetadata("album", "summer 2026"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	_, form, err := mc.PresignedPostPolicy(context.Background(), pp)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Verify(form, testSecrets, time.Now())
	if err != nil {
		t.Fatalf("Verify(%v): %v", form, err)
	}
	fields := withBucket(form, "bucket")
	fields["key"] = "photos/beach.jpg"
	if err := p.Check(fields, 2000); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := p.Check(fields, 5000); !errors.Is(err, ErrEntityTooLarge) {
		t.Fatalf("Check of a too large file = %v", err)
	}
	fields["key"] = "elsewhere/beach.jpg"
	if err := p.Check(fields, 2000); !errors.Is(err, ErrPolicyConditionFailed) {
		t.Fatalf("Check of a key outside the prefix = %v", err)
	}
}

func TestBotocorePresignedPost(t *testing.T) {
	python := ""
	for _, name := range []string{"python", "python3"} {
		if p, err := exec.LookPath(name); err == nil {
			python = p
			break
		}
	}
	if python == "" || exec.Command(python, "-c", "import boto3").Run() != nil {
		t.Skip("no python with boto3 on PATH")
	}
	cmd := exec.Command(python, filepath.Join("testdata", "presigned_post.py"))
	cmd.Env = append(os.Environ(), "ACCESS_KEY="+testAccessKey, "SECRET_KEY="+testSecret, "REGION="+testRegion,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v", err)
	}
	var post struct {
		URL    string            `json:"url"`
		Fields map[string]string `json:"fields"`
	}
	if err := json.Unmarshal(out, &post); err != nil {
		t.Fatal(err)
	}
	p, err := Verify(post.Fields, testSecrets, time.Now())
	if err != nil {
		t.Fatalf("Verify(%v): %v", post.Fields, err)
	}
	fields := withBucket(expandFilename(post.Fields, "cat.png"), "bucket")
	if err := p.Check(fields, 512); err != nil {
		t.Fatalf("Check: %v", err)
	}
	fields["x-amz-meta-owner"] = "Zoe"
	if err := p.Check(fields, 512); !errors.Is(err, ErrPolicyConditionFailed) {
		t.Fatalf("Check with changed metadata = %v", err)
	}
	fields["x-amz-meta-owner"] = "Zoë"
	fields["x-amz-storage-class"] = "GLACIER"
	if err := p.Check(fields, 512); !errors.Is(err, ErrPolicyConditionFailed) || err.Error() != "Invalid according to Policy: Extra input fields: x-amz-storage-class" {
		t.Fatalf("Check with a field no condition covers = %v", err)
	}
	delete(fields, "x-amz-storage-class")
	delete(fields, "x-amz-meta-owner")
	if err := p.Check(fields, 512); err == nil || !strings.Contains(err.Error(), "x-amz-meta-owner") {
		t.Fatalf("Check without a conditioned field = %v", err)
	}
}
