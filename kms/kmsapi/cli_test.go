package kmsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsCLI runs the aws CLI (v1) against the test server with its own
// credentials and an empty config, and returns stdout; wantFail inverts the
// exit status check and returns stderr.
type awsCLI struct {
	t   *testing.T
	url string
	env []string
	dir string
}

func newAWSCLI(t *testing.T, url string) *awsCLI {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the aws CLI is not installed")
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[default]\nregion = us-east-1\noutput = json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID="+testAccessKey,
		"AWS_SECRET_ACCESS_KEY="+testSecret,
		"AWS_CONFIG_FILE="+config,
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	)
	return &awsCLI{t: t, url: url, env: env, dir: dir}
}

func (c *awsCLI) run(wantFail bool, args ...string) string {
	c.t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", c.url, "kms"}, args...)...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if wantFail {
		if err == nil {
			c.t.Fatalf("aws kms %v succeeded: %s", args, stdout.String())
		}
		return stderr.String()
	}
	if err != nil {
		c.t.Fatalf("aws kms %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

func (c *awsCLI) json(into any, args ...string) {
	c.t.Helper()
	out := c.run(false, args...)
	if err := json.Unmarshal([]byte(out), into); err != nil {
		c.t.Fatalf("aws kms %v printed %q: %v", args, out, err)
	}
}

func (c *awsCLI) file(name string, data []byte) string {
	c.t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}

// TestAWSCLI drives the key lifecycle with the aws CLI over a real
// listener.
func TestAWSCLI(t *testing.T) {
	s := startServer(t)
	cli := newAWSCLI(t, s.URL)

	// The CLI (v1) prints timestamps as the service sent them: epoch seconds.
	epoch := float64(kmsEpoch.UnixMilli()) / 1000
	var created struct {
		KeyMetadata struct {
			KeyId, Arn, KeyState string
			CreationDate         float64
		}
	}
	cli.json(&created, "create-key", "--description", "cli key", "--tags", "TagKey=team,TagValue=cli")
	md := created.KeyMetadata
	if md.KeyState != "Enabled" || md.CreationDate != epoch {
		t.Fatalf("create-key = %+v", md)
	}
	cli.run(false, "create-alias", "--alias-name", "alias/cli", "--target-key-id", md.KeyId)

	plaintext := []byte("secret from the CLI \x00\xff")
	ptFile := cli.file("pt.bin", plaintext)
	var enc struct{ CiphertextBlob, KeyId string }
	cli.json(&enc, "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+ptFile, "--encryption-context", "purpose=cli")
	if enc.KeyId != md.Arn {
		t.Fatalf("encrypt answered key %s", enc.KeyId)
	}
	blob, err := base64.StdEncoding.DecodeString(enc.CiphertextBlob)
	if err != nil {
		t.Fatal(err)
	}
	ctFile := cli.file("ct.bin", blob)
	var dec struct{ Plaintext, KeyId string }
	cli.json(&dec, "decrypt", "--ciphertext-blob", "fileb://"+ctFile, "--encryption-context", "purpose=cli")
	if got, _ := base64.StdEncoding.DecodeString(dec.Plaintext); !bytes.Equal(got, plaintext) || dec.KeyId != md.Arn {
		t.Fatalf("decrypt = %q under %s", got, dec.KeyId)
	}
	if stderr := cli.run(true, "decrypt", "--ciphertext-blob", "fileb://"+ctFile, "--encryption-context", "purpose=other"); !strings.Contains(stderr, "InvalidCiphertextException") {
		t.Fatalf("decrypt with another context: %s", stderr)
	}

	var described struct {
		KeyMetadata struct{ KeyId, Description string }
	}
	cli.json(&described, "describe-key", "--key-id", "alias/cli")
	if described.KeyMetadata.KeyId != md.KeyId || described.KeyMetadata.Description != "cli key" {
		t.Fatalf("describe-key = %+v", described)
	}
	var keys struct {
		Keys []struct{ KeyId, KeyArn string }
	}
	cli.json(&keys, "list-keys")
	if len(keys.Keys) != 1 || keys.Keys[0].KeyArn != md.Arn {
		t.Fatalf("list-keys = %+v", keys)
	}
	var aliases struct {
		Aliases []struct{ AliasName, TargetKeyId string }
	}
	cli.json(&aliases, "list-aliases", "--key-id", md.KeyId)
	if len(aliases.Aliases) != 1 || aliases.Aliases[0].AliasName != "alias/cli" {
		t.Fatalf("list-aliases = %+v", aliases)
	}
	var gdk struct {
		Plaintext, CiphertextBlob, KeyId string
	}
	cli.json(&gdk, "generate-data-key", "--key-id", "alias/cli", "--key-spec", "AES_256")
	if raw, _ := base64.StdEncoding.DecodeString(gdk.Plaintext); len(raw) != 32 || gdk.KeyId != md.Arn {
		t.Fatalf("generate-data-key = %d bytes under %s", len(raw), gdk.KeyId)
	}

	cli.run(false, "enable-key-rotation", "--key-id", md.KeyId, "--rotation-period-in-days", "90")
	var status struct {
		KeyRotationEnabled   bool
		RotationPeriodInDays int
		NextRotationDate     float64
	}
	cli.json(&status, "get-key-rotation-status", "--key-id", md.KeyId)
	if !status.KeyRotationEnabled || status.RotationPeriodInDays != 90 || status.NextRotationDate != epoch+90*86400 {
		t.Fatalf("get-key-rotation-status = %+v", status)
	}
	cli.run(false, "rotate-key-on-demand", "--key-id", md.KeyId)
	cli.json(&dec, "decrypt", "--ciphertext-blob", "fileb://"+ctFile, "--encryption-context", "purpose=cli", "--key-id", "alias/cli")

	var scheduled struct {
		KeyId, KeyState     string
		DeletionDate        float64
		PendingWindowInDays int
	}
	cli.json(&scheduled, "schedule-key-deletion", "--key-id", md.KeyId, "--pending-window-in-days", "7")
	if scheduled.KeyState != "PendingDeletion" || scheduled.PendingWindowInDays != 7 || scheduled.DeletionDate != epoch+7*86400 {
		t.Fatalf("schedule-key-deletion = %+v", scheduled)
	}
	if stderr := cli.run(true, "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+ptFile); !strings.Contains(stderr, "KMSInvalidStateException") || !strings.Contains(stderr, "is pending deletion") {
		t.Fatalf("encrypt with a pending key: %s", stderr)
	}
	cli.run(false, "cancel-key-deletion", "--key-id", md.KeyId)
	if stderr := cli.run(true, "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+ptFile); !strings.Contains(stderr, "DisabledException") {
		t.Fatalf("encrypt after cancel-key-deletion: %s", stderr)
	}
	cli.run(false, "enable-key", "--key-id", md.KeyId)
	if stderr := cli.run(true, "describe-key", "--key-id", "alias/none"); !strings.Contains(stderr, "NotFoundException") {
		t.Fatalf("describe-key of a missing alias: %s", stderr)
	}
}
