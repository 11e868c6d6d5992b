package kmsapi

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var (
	uuidPattern     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)
	materialPattern = regexp.MustCompile(`"[0-9a-f]{64}"`)
	blobPattern     = regexp.MustCompile(`"CiphertextBlob":"[A-Za-z0-9+/=]+"`)
)

// normalize replaces what is random in a response (key ids, material ids,
// ciphertext) with placeholders; everything else is compared byte for byte.
func normalize(body []byte) []byte {
	s := uuidPattern.ReplaceAllString(string(body), "<key-id>")
	s = materialPattern.ReplaceAllString(s, `"<material-id>"`)
	s = blobPattern.ReplaceAllString(s, `"CiphertextBlob":"<blob>"`)
	return []byte(s)
}

// TestGoldenResponses pins the exact bytes of representative responses:
// member names and order, epoch-second timestamps, omitted members, the
// error envelope.
func TestGoldenResponses(t *testing.T) {
	s := startServer(t)
	steps := []struct {
		name, target, body string
		status             int
		advance            time.Duration
	}{
		{"create-key", "CreateKey", `{"Description":"golden","Tags":[{"TagKey":"team","TagValue":"storage"}]}`, 200, 0},
		{"create-alias", "CreateAlias", `{"AliasName":"alias/golden","TargetKeyId":"$KEY"}`, 200, time.Hour},
		{"list-aliases", "ListAliases", `{}`, 200, 0},
		{"encrypt", "Encrypt", `{"KeyId":"alias/golden","Plaintext":"aGVsbG8=","EncryptionContext":{"purpose":"golden"}}`, 200, 0},
		{"enable-key-rotation", "EnableKeyRotation", `{"KeyId":"$KEY"}`, 200, 0},
		{"get-key-rotation-status", "GetKeyRotationStatus", `{"KeyId":"$KEY"}`, 200, 0},
		{"schedule-key-deletion", "ScheduleKeyDeletion", `{"KeyId":"$KEY","PendingWindowInDays":7}`, 200, 0},
		{"describe-key-pending", "DescribeKey", `{"KeyId":"alias/golden"}`, 200, 0},
		{"list-keys", "ListKeys", `{"Limit":10}`, 200, 0},
		{"error-not-found", "DescribeKey", `{"KeyId":"alias/missing"}`, 400, 0},
		{"error-validation", "ScheduleKeyDeletion", `{"KeyId":"$KEY","PendingWindowInDays":3}`, 400, 0},
	}
	key := ""
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			status, _, body := s.call(t, step.target, strings.ReplaceAll(step.body, "$KEY", key))
			if status != step.status {
				t.Fatalf("status %d: %s", status, body)
			}
			if key == "" {
				key = uuidPattern.FindString(string(body))
			}
			s.clock.Advance(step.advance)
			path := filepath.Join("testdata", "golden", step.name+".json")
			got := normalize(body)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got)+"\n" != string(want) {
				t.Fatalf("response\n%s\nwant\n%s", got, want)
			}
		})
	}
}
