package kmsapi

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/cofferlabs/coffer/internal/testkit"
)

// newAWSCLI is `aws kms` against the test server, signing as the test key.
func newAWSCLI(t *testing.T, url string) *testkit.AWSCLI {
	return testkit.NewAWSCLI(t, url, testAccessKey, testSecret, "kms")
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
	cli.JSON(&created, "create-key", "--description", "cli key", "--tags", "TagKey=team,TagValue=cli")
	md := created.KeyMetadata
	if md.KeyState != "Enabled" || md.CreationDate != epoch {
		t.Fatalf("create-key = %+v", md)
	}
	cli.Run(false, "create-alias", "--alias-name", "alias/cli", "--target-key-id", md.KeyId)

	plaintext := []byte("secret from the CLI \x00\xff")
	ptFile := cli.File("pt.bin", plaintext)
	var enc struct{ CiphertextBlob, KeyId string }
	cli.JSON(&enc, "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+ptFile, "--encryption-context", "purpose=cli")
	if enc.KeyId != md.Arn {
		t.Fatalf("encrypt answered key %s", enc.KeyId)
	}
	blob, err := base64.StdEncoding.DecodeString(enc.CiphertextBlob)
	if err != nil {
		t.Fatal(err)
	}
	ctFile := cli.File("ct.bin", blob)
	var dec struct{ Plaintext, KeyId string }
	cli.JSON(&dec, "decrypt", "--ciphertext-blob", "fileb://"+ctFile, "--encryption-context", "purpose=cli")
	if got, _ := base64.StdEncoding.DecodeString(dec.Plaintext); !bytes.Equal(got, plaintext) || dec.KeyId != md.Arn {
		t.Fatalf("decrypt = %q under %s", got, dec.KeyId)
	}
	if stderr := cli.Run(true, "decrypt", "--ciphertext-blob", "fileb://"+ctFile, "--encryption-context", "purpose=other"); !strings.Contains(stderr, "InvalidCiphertextException") {
		t.Fatalf("decrypt with another context: %s", stderr)
	}

	var described struct {
		KeyMetadata struct{ KeyId, Description string }
	}
	cli.JSON(&described, "describe-key", "--key-id", "alias/cli")
	if described.KeyMetadata.KeyId != md.KeyId || described.KeyMetadata.Description != "cli key" {
		t.Fatalf("describe-key = %+v", described)
	}
	var keys struct {
		Keys []struct{ KeyId, KeyArn string }
	}
	cli.JSON(&keys, "list-keys")
	if len(keys.Keys) != 1 || keys.Keys[0].KeyArn != md.Arn {
		t.Fatalf("list-keys = %+v", keys)
	}
	var aliases struct {
		Aliases []struct{ AliasName, TargetKeyId string }
	}
	cli.JSON(&aliases, "list-aliases", "--key-id", md.KeyId)
	if len(aliases.Aliases) != 1 || aliases.Aliases[0].AliasName != "alias/cli" {
		t.Fatalf("list-aliases = %+v", aliases)
	}
	var gdk struct {
		Plaintext, CiphertextBlob, KeyId string
	}
	cli.JSON(&gdk, "generate-data-key", "--key-id", "alias/cli", "--key-spec", "AES_256")
	if raw, _ := base64.StdEncoding.DecodeString(gdk.Plaintext); len(raw) != 32 || gdk.KeyId != md.Arn {
		t.Fatalf("generate-data-key = %d bytes under %s", len(raw), gdk.KeyId)
	}

	cli.Run(false, "enable-key-rotation", "--key-id", md.KeyId, "--rotation-period-in-days", "90")
	var status struct {
		KeyRotationEnabled   bool
		RotationPeriodInDays int
		NextRotationDate     float64
	}
	cli.JSON(&status, "get-key-rotation-status", "--key-id", md.KeyId)
	if !status.KeyRotationEnabled || status.RotationPeriodInDays != 90 || status.NextRotationDate != epoch+90*86400 {
		t.Fatalf("get-key-rotation-status = %+v", status)
	}
	cli.Run(false, "rotate-key-on-demand", "--key-id", md.KeyId)
	cli.JSON(&dec, "decrypt", "--ciphertext-blob", "fileb://"+ctFile, "--encryption-context", "purpose=cli", "--key-id", "alias/cli")

	var scheduled struct {
		KeyId, KeyState     string
		DeletionDate        float64
		PendingWindowInDays int
	}
	cli.JSON(&scheduled, "schedule-key-deletion", "--key-id", md.KeyId, "--pending-window-in-days", "7")
	if scheduled.KeyState != "PendingDeletion" || scheduled.PendingWindowInDays != 7 || scheduled.DeletionDate != epoch+7*86400 {
		t.Fatalf("schedule-key-deletion = %+v", scheduled)
	}
	if stderr := cli.Run(true, "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+ptFile); !strings.Contains(stderr, "KMSInvalidStateException") || !strings.Contains(stderr, "is pending deletion") {
		t.Fatalf("encrypt with a pending key: %s", stderr)
	}
	cli.Run(false, "cancel-key-deletion", "--key-id", md.KeyId)
	if stderr := cli.Run(true, "encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://"+ptFile); !strings.Contains(stderr, "DisabledException") {
		t.Fatalf("encrypt after cancel-key-deletion: %s", stderr)
	}
	cli.Run(false, "enable-key", "--key-id", md.KeyId)
	if stderr := cli.Run(true, "describe-key", "--key-id", "alias/none"); !strings.Contains(stderr, "NotFoundException") {
		t.Fatalf("describe-key of a missing alias: %s", stderr)
	}
}
