package tests

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// keyMetadata is DescribeKey's and CreateKey's output as the CLI prints it.
type keyMetadata struct {
	KeyMetadata struct {
		AWSAccountId         string
		KeyId                string
		Arn                  string
		Description          string
		Enabled              bool
		KeyState             string
		KeyManager           string
		KeySpec              string
		CurrentKeyMaterialId string
		DeletionDate         float64
	}
}

// cliCrypto is the output of encrypt, decrypt and generate-data-key.
type cliCrypto struct {
	CiphertextBlob string
	Plaintext      string
	KeyId          string
	KeyMaterialId  string
}

func (c cliCrypto) blob(t *testing.T) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(c.CiphertextBlob)
	if err != nil || len(b) == 0 {
		t.Fatalf("CiphertextBlob %q: %v", c.CiphertextBlob, err)
	}
	return b
}

func (c cliCrypto) plaintext(t *testing.T) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(c.Plaintext)
	if err != nil {
		t.Fatalf("Plaintext %q: %v", c.Plaintext, err)
	}
	return b
}

// withContext appends --encryption-context when ec is not empty.
func withContext(t *testing.T, args []string, ec map[string]string) []string {
	if len(ec) == 0 {
		return args
	}
	return append(args, "--encryption-context", cliJSON(t, ec))
}

// TestKMSAWSCLI drives a key through its whole life with `aws kms` over
// HTTPS: every operation of issue 3 that the CLI exposes, and the errors
// of the spec's table that apply.
func TestKMSAWSCLI(t *testing.T) {
	s := startTLSServer(t)
	cli := newCLISession(t, s.httpsEndpoint, s.caPath)
	createKey := func(t *testing.T, args ...string) keyMetadata {
		t.Helper()
		var m keyMetadata
		cli.json(t, &m, append([]string{"kms", "create-key"}, args...)...)
		return m
	}
	created := createKey(t, "--description", "coffer integration key",
		"--tags", "TagKey=team,TagValue=storage", "TagKey=env,TagValue=test")
	key := created.KeyMetadata
	arnParts := keyARNPattern.FindStringSubmatch(key.Arn)
	if arnParts == nil || arnParts[2] != key.KeyId || !uuidPattern.MatchString(key.KeyId) || arnParts[1] != key.AWSAccountId {
		t.Fatalf("create-key: KeyId %q, Arn %q, account %q", key.KeyId, key.Arn, key.AWSAccountId)
	}
	if key.Description != "coffer integration key" || key.KeyState != "Enabled" || !key.Enabled ||
		key.KeyManager != "CUSTOMER" || key.KeySpec != "SYMMETRIC_DEFAULT" || key.CurrentKeyMaterialId == "" {
		t.Fatalf("create-key metadata: %+v", key)
	}
	account := key.AWSAccountId
	other := createKey(t, "--description", "second key").KeyMetadata

	describe := func(t *testing.T, id string) keyMetadata {
		t.Helper()
		var m keyMetadata
		cli.json(t, &m, "kms", "describe-key", "--key-id", id)
		return m
	}
	encrypt := func(t *testing.T, keyID string, plaintext []byte, ec map[string]string) cliCrypto {
		t.Helper()
		var out cliCrypto
		cli.json(t, &out, withContext(t, []string{"kms", "encrypt", "--key-id", keyID,
			"--plaintext", cli.file(t, "plaintext.bin", plaintext)}, ec)...)
		return out
	}
	decryptArgs := func(t *testing.T, blob []byte, ec map[string]string, extra ...string) []string {
		t.Helper()
		args := append([]string{"kms", "decrypt", "--ciphertext-blob", cli.file(t, "ciphertext.bin", blob)}, extra...)
		return withContext(t, args, ec)
	}
	decrypt := func(t *testing.T, blob []byte, ec map[string]string, extra ...string) cliCrypto {
		t.Helper()
		var out cliCrypto
		cli.json(t, &out, decryptArgs(t, blob, ec, extra...)...)
		return out
	}
	// A ciphertext made now serves the later steps (states, rotation).
	earlyPlaintext := []byte("made before anything changed")
	earlyContext := map[string]string{"purpose": "lifecycle"}
	early := encrypt(t, key.KeyId, earlyPlaintext, earlyContext)

	t.Run("describe and list", func(t *testing.T) {
		for _, id := range []string{key.KeyId, key.Arn} {
			if got := describe(t, id).KeyMetadata; got.Arn != key.Arn || got.Description != key.Description {
				t.Fatalf("describe-key %s: %+v", id, got)
			}
		}
		var list struct {
			Keys []struct{ KeyId, KeyArn string }
		}
		cli.json(t, &list, "kms", "list-keys")
		found := map[string]string{}
		for _, k := range list.Keys {
			found[k.KeyId] = k.KeyArn
		}
		if found[key.KeyId] != key.Arn || found[other.KeyId] != other.Arn {
			t.Fatalf("list-keys: %+v", list.Keys)
		}
		if got := listTags(t, cli, key.KeyId); got != "env=test,team=storage" {
			t.Fatalf("list-resource-tags after create-key --tags: %s", got)
		}
	})

	t.Run("aliases", func(t *testing.T) {
		const alias = "alias/coffer-it"
		aliasARN := "arn:aws:kms:" + testRegion + ":" + account + ":" + alias
		cli.ok(t, "kms", "create-alias", "--alias-name", alias, "--target-key-id", key.KeyId)
		var aliases struct {
			Aliases []struct{ AliasName, AliasArn, TargetKeyId string }
		}
		cli.json(t, &aliases, "kms", "list-aliases", "--key-id", key.KeyId)
		if len(aliases.Aliases) != 1 || aliases.Aliases[0].AliasName != alias || aliases.Aliases[0].AliasArn != aliasARN ||
			aliases.Aliases[0].TargetKeyId != key.KeyId {
			t.Fatalf("list-aliases --key-id: %+v", aliases.Aliases)
		}
		for _, id := range []string{alias, aliasARN} {
			if got := describe(t, id).KeyMetadata.Arn; got != key.Arn {
				t.Fatalf("describe-key %s names %s, want %s", id, got, key.Arn)
			}
		}
		cli.fails(t, "AlreadyExistsException", "kms", "create-alias", "--alias-name", alias, "--target-key-id", other.KeyId)

		cli.ok(t, "kms", "update-alias", "--alias-name", alias, "--target-key-id", other.KeyId)
		if got := describe(t, alias).KeyMetadata.Arn; got != other.Arn {
			t.Fatalf("after update-alias the alias names %s, want %s", got, other.Arn)
		}
		if got := encrypt(t, aliasARN, []byte("via alias ARN"), nil).KeyId; got != other.Arn {
			t.Fatalf("encrypt with the alias ARN used %s, want %s", got, other.Arn)
		}
		cli.ok(t, "kms", "delete-alias", "--alias-name", alias)
		cli.fails(t, "NotFoundException", "kms", "describe-key", "--key-id", alias)
		cli.json(t, &aliases, "kms", "list-aliases")
		for _, a := range aliases.Aliases {
			if a.AliasName == alias {
				t.Fatalf("list-aliases still lists the deleted alias: %+v", aliases.Aliases)
			}
		}
	})

	t.Run("encrypt and decrypt", func(t *testing.T) {
		cases := []struct {
			name      string
			plaintext []byte
			context   map[string]string
			wrong     map[string]string // a context that must not decrypt it
		}{
			{name: "no context", plaintext: randomBytes("no context", 100), wrong: map[string]string{"purpose": "test"}},
			{name: "one pair", plaintext: randomBytes("one pair", 4096),
				context: map[string]string{"purpose": "test"}, wrong: map[string]string{"purpose": "Test"}},
			{name: "several pairs", plaintext: []byte{0},
				context: map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k", "department": "a=b,c", "empty": ""},
				wrong:   map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k", "department": "a=b,c"}},
			{name: "context dropped", plaintext: []byte("needs its context"),
				context: map[string]string{"purpose": "test"}, wrong: nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				enc := encrypt(t, key.KeyId, tc.plaintext, tc.context)
				if enc.KeyId != key.Arn {
					t.Fatalf("encrypt KeyId %q, want the ARN %s", enc.KeyId, key.Arn)
				}
				blob := enc.blob(t)
				if len(tc.plaintext) > 4 && bytes.Contains(blob, tc.plaintext) {
					t.Fatal("the ciphertext blob contains the plaintext")
				}
				for _, extra := range [][]string{nil, {"--key-id", key.Arn}} {
					dec := decrypt(t, blob, tc.context, extra...)
					if !bytes.Equal(dec.plaintext(t), tc.plaintext) || dec.KeyId != key.Arn {
						t.Fatalf("decrypt %v: KeyId %s, plaintext differs", extra, dec.KeyId)
					}
				}
				msg := cli.fails(t, "InvalidCiphertextException", decryptArgs(t, blob, tc.wrong)...)
				if strings.Contains(msg, base64.StdEncoding.EncodeToString(tc.plaintext)) {
					t.Fatalf("the error shows the plaintext: %s", msg)
				}
				cli.fails(t, "IncorrectKeyException", decryptArgs(t, blob, tc.context, "--key-id", other.KeyId)...)
			})
		}
	})

	t.Run("data keys and random", func(t *testing.T) {
		ec := map[string]string{"aws:s3:arn": "arn:aws:s3:::bucket/object"}
		cases := []struct {
			name string
			args []string
			size int
		}{
			{name: "AES_256", args: []string{"generate-data-key", "--key-spec", "AES_256"}, size: 32},
			{name: "64 bytes", args: []string{"generate-data-key", "--number-of-bytes", "64"}, size: 64},
			{name: "without plaintext", args: []string{"generate-data-key-without-plaintext", "--key-spec", "AES_128"}, size: 16},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var dk cliCrypto
				cli.json(t, &dk, withContext(t, append([]string{"kms"}, append(tc.args, "--key-id", key.KeyId)...), ec)...)
				if dk.KeyId != key.Arn {
					t.Fatalf("KeyId %q", dk.KeyId)
				}
				got := decrypt(t, dk.blob(t), ec).plaintext(t)
				if len(got) != tc.size || (dk.Plaintext != "" && !bytes.Equal(got, dk.plaintext(t))) {
					t.Fatalf("the data key decrypts to %d bytes (want %d), equal to the returned plaintext: %v",
						len(got), tc.size, bytes.Equal(got, dk.plaintext(t)))
				}
				if strings.HasSuffix(tc.args[0], "without-plaintext") && dk.Plaintext != "" {
					t.Fatal("generate-data-key-without-plaintext returned a plaintext")
				}
			})
		}
		var r1, r2 cliCrypto
		cli.json(t, &r1, "kms", "generate-random", "--number-of-bytes", "32")
		cli.json(t, &r2, "kms", "generate-random", "--number-of-bytes", "32")
		if a, b := r1.plaintext(t), r2.plaintext(t); len(a) != 32 || len(b) != 32 || bytes.Equal(a, b) {
			t.Fatalf("generate-random: %x, %x", a, b)
		}
	})

	t.Run("disable and enable", func(t *testing.T) {
		cli.ok(t, "kms", "disable-key", "--key-id", key.KeyId)
		if m := describe(t, key.KeyId).KeyMetadata; m.KeyState != "Disabled" || m.Enabled {
			t.Fatalf("after disable-key: %s, enabled %v", m.KeyState, m.Enabled)
		}
		cli.fails(t, "DisabledException", "kms", "encrypt", "--key-id", key.KeyId, "--plaintext", cli.file(t, "p", []byte("x")))
		cli.fails(t, "DisabledException", decryptArgs(t, early.blob(t), earlyContext)...)
		cli.fails(t, "DisabledException", "kms", "generate-data-key", "--key-id", key.KeyId, "--key-spec", "AES_256")
		cli.fails(t, "DisabledException", "kms", "enable-key-rotation", "--key-id", key.KeyId)
		cli.ok(t, "kms", "enable-key", "--key-id", key.KeyId)
		if m := describe(t, key.KeyId).KeyMetadata; m.KeyState != "Enabled" || !m.Enabled {
			t.Fatalf("after enable-key: %s", m.KeyState)
		}
		if got := decrypt(t, early.blob(t), earlyContext).plaintext(t); !bytes.Equal(got, earlyPlaintext) {
			t.Fatal("decrypt after enable-key gives other bytes")
		}
	})

	t.Run("rotation", func(t *testing.T) {
		cli.ok(t, "kms", "enable-key-rotation", "--key-id", key.KeyId, "--rotation-period-in-days", "180")
		var status struct {
			KeyRotationEnabled   bool
			KeyId                string
			RotationPeriodInDays int
			NextRotationDate     float64
		}
		cli.json(t, &status, "kms", "get-key-rotation-status", "--key-id", key.KeyId)
		if !status.KeyRotationEnabled || status.RotationPeriodInDays != 180 || status.KeyId != key.Arn || status.NextRotationDate == 0 {
			t.Fatalf("get-key-rotation-status: %+v", status)
		}
		before := describe(t, key.KeyId).KeyMetadata.CurrentKeyMaterialId
		var rotated struct{ KeyId string }
		cli.json(t, &rotated, "kms", "rotate-key-on-demand", "--key-id", key.KeyId)
		after := describe(t, key.KeyId).KeyMetadata.CurrentKeyMaterialId
		if rotated.KeyId != key.Arn || after == before || after == "" {
			t.Fatalf("rotate-key-on-demand: KeyId %q, key material %s -> %s", rotated.KeyId, before, after)
		}
		old := decrypt(t, early.blob(t), earlyContext)
		if !bytes.Equal(old.plaintext(t), earlyPlaintext) || old.KeyMaterialId != before {
			t.Fatalf("decrypt of a ciphertext from before the rotation: key material %s (want %s)", old.KeyMaterialId, before)
		}
		fresh := encrypt(t, key.KeyId, []byte("after rotation"), nil)
		if dec := decrypt(t, fresh.blob(t), nil); string(dec.plaintext(t)) != "after rotation" || dec.KeyMaterialId != after {
			t.Fatalf("decrypt of a new ciphertext: key material %s (want %s)", dec.KeyMaterialId, after)
		}
		var rotations struct {
			Rotations []struct{ KeyMaterialId, KeyMaterialState, RotationType string }
		}
		cli.json(t, &rotations, "kms", "list-key-rotations", "--key-id", key.KeyId)
		if len(rotations.Rotations) != 1 || rotations.Rotations[0].RotationType != "ON_DEMAND" ||
			rotations.Rotations[0].KeyMaterialId != after || rotations.Rotations[0].KeyMaterialState != "CURRENT" {
			t.Fatalf("list-key-rotations: %+v", rotations.Rotations)
		}
		cli.ok(t, "kms", "disable-key-rotation", "--key-id", key.KeyId)
		cli.json(t, &status, "kms", "get-key-rotation-status", "--key-id", key.KeyId)
		if status.KeyRotationEnabled {
			t.Fatal("rotation still enabled after disable-key-rotation")
		}
	})

	t.Run("key policy", func(t *testing.T) {
		var got struct{ Policy, PolicyName string }
		cli.json(t, &got, "kms", "get-key-policy", "--key-id", key.KeyId, "--policy-name", "default")
		original := got.Policy
		rootARN := "arn:aws:iam::" + account + ":root"
		if got.PolicyName != "default" || !strings.Contains(original, rootARN) || !strings.Contains(original, `"kms:*"`) {
			t.Fatalf("the default key policy does not give the account root kms:*: %s", original)
		}
		var doc struct {
			Version   string
			Statement []map[string]any
		}
		mustJSON(t, original, &doc)
		doc.Statement = append(doc.Statement, map[string]any{
			"Sid": "DenyDecryptToRoot", "Effect": "Deny", "Principal": map[string]any{"AWS": rootARN},
			"Action": "kms:Decrypt", "Resource": "*",
		})
		cli.ok(t, "kms", "put-key-policy", "--key-id", key.KeyId, "--policy-name", "default", "--policy", cliJSON(t, doc))
		cli.json(t, &got, "kms", "get-key-policy", "--key-id", key.KeyId)
		if !strings.Contains(got.Policy, "DenyDecryptToRoot") {
			t.Fatalf("get-key-policy does not show the new policy: %s", got.Policy)
		}
		msg := cli.fails(t, "AccessDeniedException", decryptArgs(t, early.blob(t), earlyContext)...)
		if !strings.Contains(msg, "kms:Decrypt") {
			t.Fatalf("the denial does not name the action: %s", msg)
		}
		encrypt(t, key.KeyId, []byte("encrypt is still allowed"), nil)

		cli.ok(t, "kms", "put-key-policy", "--key-id", key.KeyId, "--policy", original)
		if got := decrypt(t, early.blob(t), earlyContext).plaintext(t); !bytes.Equal(got, earlyPlaintext) {
			t.Fatal("decrypt after restoring the policy gives other bytes")
		}
		cli.fails(t, "MalformedPolicyDocumentException", "kms", "put-key-policy", "--key-id", key.KeyId,
			"--policy", `{"Version":"2012-10-17"}`)
	})

	t.Run("tags", func(t *testing.T) {
		cli.ok(t, "kms", "tag-resource", "--key-id", key.KeyId, "--tags", "TagKey=cost-center,TagValue=42")
		if got := listTags(t, cli, key.Arn); got != "cost-center=42,env=test,team=storage" {
			t.Fatalf("after tag-resource: %s", got)
		}
		cli.ok(t, "kms", "untag-resource", "--key-id", key.KeyId, "--tag-keys", "env")
		if got := listTags(t, cli, key.KeyId); got != "cost-center=42,team=storage" {
			t.Fatalf("after untag-resource: %s", got)
		}
		cli.fails(t, "TagException", "kms", "tag-resource", "--key-id", key.KeyId, "--tags", "TagKey=aws:reserved,TagValue=x")
	})

	t.Run("deletion", func(t *testing.T) {
		var scheduled struct {
			KeyId               string
			KeyState            string
			DeletionDate        float64
			PendingWindowInDays int
		}
		cli.json(t, &scheduled, "kms", "schedule-key-deletion", "--key-id", key.KeyId, "--pending-window-in-days", "7")
		deletion := time.Unix(int64(scheduled.DeletionDate), 0)
		if scheduled.KeyId != key.Arn || scheduled.KeyState != "PendingDeletion" || scheduled.PendingWindowInDays != 7 ||
			deletion.Before(time.Now().Add(6*24*time.Hour)) || deletion.After(time.Now().Add(8*24*time.Hour)) {
			t.Fatalf("schedule-key-deletion: %+v (deletion %s)", scheduled, deletion)
		}
		if m := describe(t, key.KeyId).KeyMetadata; m.KeyState != "PendingDeletion" || m.DeletionDate != scheduled.DeletionDate {
			t.Fatalf("describe-key while pending deletion: %+v", m)
		}
		cli.fails(t, "KMSInvalidStateException", "kms", "encrypt", "--key-id", key.KeyId, "--plaintext", cli.file(t, "p", []byte("x")))
		cli.fails(t, "KMSInvalidStateException", decryptArgs(t, early.blob(t), earlyContext)...)
		cli.fails(t, "KMSInvalidStateException", "kms", "enable-key", "--key-id", key.KeyId)
		cli.fails(t, "KMSInvalidStateException", "kms", "schedule-key-deletion", "--key-id", key.KeyId)

		cli.json(t, &scheduled, "kms", "cancel-key-deletion", "--key-id", key.KeyId)
		if m := describe(t, key.KeyId).KeyMetadata; scheduled.KeyId != key.Arn || m.KeyState != "Disabled" || m.DeletionDate != 0 {
			t.Fatalf("after cancel-key-deletion: KeyId %s, %+v", scheduled.KeyId, m)
		}
		cli.fails(t, "KMSInvalidStateException", "kms", "cancel-key-deletion", "--key-id", key.KeyId)
		cli.ok(t, "kms", "enable-key", "--key-id", key.KeyId)
		if got := decrypt(t, early.blob(t), earlyContext).plaintext(t); !bytes.Equal(got, earlyPlaintext) {
			t.Fatal("decrypt after cancel-key-deletion and enable-key gives other bytes")
		}
	})

	t.Run("errors", func(t *testing.T) {
		unknown := uuid.NewString()
		cases := []struct {
			name string
			code string
			args []string
			want string // in the message
		}{
			{name: "unknown key id", code: "NotFoundException", args: []string{"describe-key", "--key-id", unknown},
				want: "Key 'arn:aws:kms:" + testRegion + ":" + account + ":key/" + unknown + "' does not exist"},
			{name: "encrypt under an unknown key", code: "NotFoundException",
				args: []string{"encrypt", "--key-id", unknown, "--plaintext", cli.file(t, "p", []byte("x"))}},
			{name: "unknown alias", code: "NotFoundException", args: []string{"describe-key", "--key-id", "alias/never-made"}},
			{name: "not a key id", code: "NotFoundException", args: []string{"describe-key", "--key-id", "not-a-key"}, want: "Invalid keyId"},
			{name: "another region", code: "NotFoundException",
				args: []string{"describe-key", "--key-id", "arn:aws:kms:eu-west-1:" + account + ":key/" + key.KeyId}},
			{name: "alias without prefix", code: "ValidationException",
				args: []string{"create-alias", "--alias-name", "no-prefix", "--target-key-id", key.KeyId}, want: `prefix "alias/"`},
			{name: "alias with bad characters", code: "ValidationException",
				args: []string{"create-alias", "--alias-name", "alias/bad name!", "--target-key-id", key.KeyId}},
			{name: "reserved alias", code: "NotAuthorizedException",
				args: []string{"create-alias", "--alias-name", "alias/aws/mine", "--target-key-id", key.KeyId}},
			{name: "alias to an alias", code: "ValidationException",
				args: []string{"create-alias", "--alias-name", "alias/chained", "--target-key-id", "alias/aws/s3"}, want: "Aliases must refer to keys"},
			{name: "delete a missing alias", code: "NotFoundException", args: []string{"delete-alias", "--alias-name", "alias/never-made"}},
			{name: "pending window 3 days", code: "ValidationException",
				args: []string{"schedule-key-deletion", "--key-id", key.KeyId, "--pending-window-in-days", "3"}, want: "pendingWindowInDays"},
			{name: "pending window 31 days", code: "ValidationException",
				args: []string{"schedule-key-deletion", "--key-id", key.KeyId, "--pending-window-in-days", "31"}},
			{name: "cancel deletion of an enabled key", code: "KMSInvalidStateException",
				args: []string{"cancel-key-deletion", "--key-id", key.KeyId}},
			{name: "random 1025 bytes", code: "ValidationException", args: []string{"generate-random", "--number-of-bytes", "1025"}},
			{name: "data key without a size", code: "ValidationException", args: []string{"generate-data-key", "--key-id", key.KeyId}},
			{name: "data key with both sizes", code: "ValidationException",
				args: []string{"generate-data-key", "--key-id", key.KeyId, "--key-spec", "AES_256", "--number-of-bytes", "32"}},
			{name: "plaintext over 4096 bytes", code: "ValidationException",
				args: []string{"encrypt", "--key-id", key.KeyId, "--plaintext", cli.file(t, "big", make([]byte, 4097))}},
			{name: "garbage ciphertext", code: "InvalidCiphertextException",
				args: []string{"decrypt", "--ciphertext-blob", cli.file(t, "garbage", randomBytes("garbage", 120))}},
			{name: "truncated ciphertext", code: "InvalidCiphertextException",
				args: []string{"decrypt", "--ciphertext-blob", cli.file(t, "truncated", early.blob(t)[:len(early.blob(t))-1])}},
			{name: "another policy name", code: "NotFoundException",
				args: []string{"get-key-policy", "--key-id", key.KeyId, "--policy-name", "other"}},
			{name: "reserved tag", code: "TagException",
				args: []string{"create-key", "--tags", "TagKey=aws:owner,TagValue=me"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				args := append([]string{"kms"}, tc.args...)
				if msg := cli.fails(t, tc.code, args...); !strings.Contains(msg, tc.want) {
					t.Fatalf("the message does not say %q: %s", tc.want, msg)
				}
			})
		}
	})
}

// listTags returns the key's tags as "k=v,k=v", sorted by key.
func listTags(t *testing.T, cli *cliSession, keyID string) string {
	t.Helper()
	var out struct {
		Tags []struct{ TagKey, TagValue string }
	}
	cli.json(t, &out, "kms", "list-resource-tags", "--key-id", keyID)
	var parts []string
	for _, tag := range out.Tags {
		parts = append(parts, tag.TagKey+"="+tag.TagValue)
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}
