package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lookedUpEvent is one event of `aws cloudtrail lookup-events`.
type lookedUpEvent struct {
	EventName   string
	EventSource string
	Username    string
	AccessKeyId string
	Resources   []struct{ ResourceType, ResourceName string }
	// CloudTrailEvent is the record itself, as a JSON string.
	CloudTrailEvent string
	record          trailRecord
}

// lookupEventsCLI runs lookup-events for one attribute (all pages: the CLI
// follows NextToken) and decodes each record.
func lookupEventsCLI(t *testing.T, cli *cliSession, attribute, value string) []lookedUpEvent {
	t.Helper()
	var out struct{ Events []lookedUpEvent }
	cli.json(t, &out, "cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey="+attribute+",AttributeValue="+value)
	for i := range out.Events {
		e := &out.Events[i]
		if err := json.Unmarshal([]byte(e.CloudTrailEvent), &e.record); err != nil {
			t.Fatalf("CloudTrailEvent is not JSON (%v): %s", err, e.CloudTrailEvent)
		}
	}
	return out.Events
}

// awaitEventsCLI polls lookup-events until match accepts the events found
// (the trail is written in batches), and returns them.
func awaitEventsCLI(t *testing.T, cli *cliSession, attribute, value string, match func([]lookedUpEvent) bool) []lookedUpEvent {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		events := lookupEventsCLI(t, cli, attribute, value)
		if match(events) {
			return events
		}
		if time.Now().After(deadline) {
			t.Fatalf("lookup-events %s=%s never showed what was expected; last answer:\n%+v", attribute, value, events)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAuditTrail checks the audit trail end to end: KMS calls made
// directly and by S3 for SSE-KMS objects are found with `aws cloudtrail
// lookup-events` by event name, resource and user, carrying who asked,
// through which service and for which object; then `coffer audit verify`
// passes on the trail the server wrote and names each kind of damage.
func TestAuditTrail(t *testing.T) {
	started := time.Now().Add(-time.Second).UTC()
	s := startTLSServer(t)
	cli := newCLISession(t, s.httpsEndpoint, s.caPath)
	var created keyMetadata
	cli.json(t, &created, "kms", "create-key", "--description", "audited")
	key := created.KeyMetadata
	cli.ok(t, "s3", "mb", "s3://audited")
	_, data := randomFile(t, cli.dir, "audited.bin", 4000)
	cli.ok(t, "s3", "cp", cli.path("audited.bin"), "s3://audited/docs/one.bin", "--sse", "aws:kms", "--sse-kms-key-id", key.KeyId)
	cli.ok(t, "s3api", "put-object", "--bucket", "audited", "--key", "docs/two.bin", "--body", cli.path("audited.bin"),
		"--server-side-encryption", "aws:kms", "--ssekms-key-id", key.Arn,
		"--ssekms-encryption-context", b64JSON(t, map[string]string{"project": "audit"}))
	cli.ok(t, "s3api", "get-object", "--bucket", "audited", "--key", "docs/two.bin", cli.path("two.down"))
	assertFileEquals(t, cli.path("two.down"), data)
	cli.ok(t, "kms", "encrypt", "--key-id", key.KeyId, "--plaintext", cli.file(t, "direct", []byte("direct call")))
	cli.fails(t, "NotFoundException", "kms", "describe-key", "--key-id", "alias/not-there")
	cli.ok(t, "s3api", "put-bucket-encryption", "--bucket", "audited", "--server-side-encryption-configuration",
		`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"`+key.Arn+`"}}]}`)
	objectARN := func(name string) string { return "arn:aws:s3:::audited/docs/" + name }

	t.Run("by event name", func(t *testing.T) {
		viaS3 := func(events []lookedUpEvent) map[string]lookedUpEvent {
			found := map[string]lookedUpEvent{}
			for _, e := range events {
				if e.record.UserIdentity.InvokedBy == "s3.amazonaws.com" {
					found[e.record.s3ARN()] = e
				}
			}
			return found
		}
		events := awaitEventsCLI(t, cli, "EventName", "GenerateDataKey", func(events []lookedUpEvent) bool {
			return len(viaS3(events)) >= 2
		})
		found := viaS3(events)
		for _, name := range []string{"one.bin", "two.bin"} {
			e, ok := found[objectARN(name)]
			if !ok {
				t.Fatalf("no GenerateDataKey by S3 for %s among %d events", objectARN(name), len(events))
			}
			r := e.record
			if e.EventSource != "kms.amazonaws.com" || e.Username != "root" || e.AccessKeyId != rootAccessKey ||
				len(e.Resources) != 1 || e.Resources[0].ResourceType != "AWS::KMS::Key" || e.Resources[0].ResourceName != key.Arn {
				t.Fatalf("event for %s: %+v", name, e)
			}
			if r.SourceIPAddress != "s3.amazonaws.com" || r.AdditionalEventData["callerSourceIPAddress"] != "127.0.0.1" ||
				r.UserIdentity.Type != "Root" || r.UserIdentity.AccessKeyID != rootAccessKey || r.RequestID == "" || r.ErrorCode != "" {
				t.Fatalf("record for %s: %s", name, e.CloudTrailEvent)
			}
		}
		if ec := found[objectARN("two.bin")].record.RequestParameters.EncryptionContext; ec["project"] != "audit" || len(ec) != 2 {
			t.Fatalf("the record does not carry the caller's context merged with the object ARN: %v", ec)
		}
		decrypts := awaitEventsCLI(t, cli, "EventName", "Decrypt", func(events []lookedUpEvent) bool { return len(events) > 0 })
		if r := decrypts[0].record; r.UserIdentity.InvokedBy != "s3.amazonaws.com" || r.s3ARN() != objectARN("two.bin") ||
			r.RequestParameters.EncryptionContext["project"] != "audit" {
			t.Fatalf("the GET's Decrypt: %s", decrypts[0].CloudTrailEvent)
		}
		failed := awaitEventsCLI(t, cli, "EventName", "DescribeKey", func(events []lookedUpEvent) bool { return len(events) > 0 })
		if r := failed[0].record; r.ErrorCode != "NotFoundException" || r.SourceIPAddress != "127.0.0.1" {
			t.Fatalf("a failed call's record: %s", failed[0].CloudTrailEvent)
		}
	})

	t.Run("by resource name", func(t *testing.T) {
		events := awaitEventsCLI(t, cli, "ResourceName", key.Arn, func(events []lookedUpEvent) bool { return len(events) >= 5 })
		names := map[string]int{}
		for _, e := range events {
			names[e.EventName]++
			matched := false
			for _, r := range e.Resources {
				matched = matched || r.ResourceName == key.Arn
			}
			if !matched {
				t.Fatalf("lookup by resource %s returned %+v", key.Arn, e)
			}
		}
		for _, want := range []string{"CreateKey", "GenerateDataKey", "Decrypt", "Encrypt"} {
			if names[want] == 0 {
				t.Fatalf("no %s event for the key: %v", want, names)
			}
		}
	})

	t.Run("by user and source", func(t *testing.T) {
		events := awaitEventsCLI(t, cli, "Username", "root", func(events []lookedUpEvent) bool { return len(events) >= 7 })
		sources := map[string]bool{}
		for _, e := range events {
			if e.Username != "root" {
				t.Fatalf("lookup by Username=root returned %+v", e)
			}
			sources[e.EventSource] = true
		}
		if !sources["kms.amazonaws.com"] {
			t.Fatalf("no KMS events for root: %v", sources)
		}
		s3Events := awaitEventsCLI(t, cli, "EventSource", "s3.amazonaws.com", func(events []lookedUpEvent) bool { return len(events) > 0 })
		if e := s3Events[0]; e.EventName != "PutBucketEncryption" || !strings.Contains(e.CloudTrailEvent, key.Arn) {
			t.Fatalf("the bucket encryption change: %+v", e)
		}
	})

	t.Run("time range", func(t *testing.T) {
		var out struct{ Events []lookedUpEvent }
		cli.json(t, &out, "cloudtrail", "lookup-events", "--end-time", started.Add(-time.Hour).Format(time.RFC3339))
		if len(out.Events) != 0 {
			t.Fatalf("events from before the server started: %+v", out.Events)
		}
		cli.json(t, &out, "cloudtrail", "lookup-events", "--start-time", started.Format(time.RFC3339),
			"--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateKey")
		if len(out.Events) != 1 {
			t.Fatalf("CreateKey events since the start: %+v", out.Events)
		}
	})

	// The trail on disk: verify it, export it, then damage copies of it.
	s.stop()
	verify := func(dataDir string) (string, error) {
		cmd := exec.Command(cofferBinary, "audit", "verify", "--data-dir", dataDir)
		cmd.Env = s.env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// A graceful stop syncs the head, so it vouches for every record.
	if out, err := verify(s.dataDir); err != nil || !strings.Contains(out, "audit trail OK") || strings.Contains(out, "note:") {
		t.Fatalf("coffer audit verify on the server's trail: %v\n%s", err, out)
	}
	export := exec.Command(cofferBinary, "audit", "export", "--data-dir", s.dataDir)
	export.Env = s.env
	exported, err := export.Output()
	if err != nil {
		t.Fatalf("coffer audit export: %v", err)
	}
	exportedLines := strings.Split(strings.TrimSuffix(string(exported), "\n"), "\n")
	for i, line := range exportedLines {
		var r struct {
			Seq       int    `json:"seq"`
			EventName string `json:"eventName"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Seq != i+1 || r.EventName == "" {
			t.Fatalf("exported line %d (%v): %s", i+1, err, line)
		}
	}
	segments, err := filepath.Glob(filepath.Join(s.dataDir, "audit", "audit-*.jsonl"))
	if err != nil || len(segments) != 1 {
		t.Fatalf("audit segments: %v %v", segments, err)
	}
	segment := filepath.Base(segments[0])
	cases := []struct {
		name   string
		damage func(lines [][]byte) [][]byte
		want   string
	}{
		{name: "one byte edited", want: "DAMAGED: edited at " + segment + " line 3", damage: func(lines [][]byte) [][]byte {
			at := bytes.Index(lines[2], []byte(`"eventName":"`)) + len(`"eventName":"`)
			lines[2][at] ^= 0x20 // the event name's first letter changes case: still valid JSON
			return lines
		}},
		{name: "record deleted", want: "DAMAGED: deleted at " + segment, damage: func(lines [][]byte) [][]byte {
			return append(lines[:3:3], lines[4:]...)
		}},
		{name: "records swapped", want: "DAMAGED: reordered at " + segment, damage: func(lines [][]byte) [][]byte {
			lines[3], lines[4] = lines[4], lines[3]
			return lines
		}},
		{name: "last record dropped", want: "DAMAGED: truncated", damage: func(lines [][]byte) [][]byte {
			return lines[:len(lines)-1]
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyTrail(t, s.dataDir)
			path := filepath.Join(dir, "audit", segment)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lines := bytes.SplitAfter(raw, []byte("\n"))
			lines = lines[:len(lines)-1] // after the final newline
			if len(lines) < 6 || len(lines) != len(exportedLines) {
				t.Fatalf("%d records in the trail, %d exported", len(lines), len(exportedLines))
			}
			if err := os.WriteFile(path, bytes.Join(tc.damage(lines), nil), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := verify(dir)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("coffer audit verify after damage: %v, want %q in:\n%s", err, tc.want, out)
			}
			t.Logf("%s", strings.SplitN(out, "\n", 2)[0])
		})
	}
}

// copyTrail copies the audit trail and root key of a data dir into a new
// one, so each damage is done to its own copy.
func copyTrail(t *testing.T, dataDir string) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.Mkdir(filepath.Join(dst, "audit"), 0o700); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dataDir, "audit", "*"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(dataDir, "root.key"))
	for _, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dataDir, src)
		if err := os.WriteFile(filepath.Join(dst, rel), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestAuditTrailTLSDetails checks the tlsDetails of a record: CloudTrail
// (and audit/FORMAT.md) give a call over TLS its protocol version, cipher
// suite and Host header, and a call over plain HTTP none.
func TestAuditTrailTLSDetails(t *testing.T) {
	s := startTLSServer(t)
	cases := []struct {
		name, endpoint, caPath string
		wantTLS                bool
	}{
		{name: "HTTPS", endpoint: s.httpsEndpoint, caPath: s.caPath, wantTLS: true},
		{name: "plain HTTP", endpoint: s.endpoint},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cli := newCLISession(t, tc.endpoint, tc.caPath)
			description := "tls details over " + tc.name
			cli.ok(t, "kms", "create-key", "--description", description)
			events := awaitEventsCLI(t, cli, "EventName", "CreateKey", func(events []lookedUpEvent) bool {
				return len(events) > 0 && strings.Contains(events[0].CloudTrailEvent, description)
			})
			var record struct {
				TLSDetails *struct {
					TLSVersion               string `json:"tlsVersion"`
					CipherSuite              string `json:"cipherSuite"`
					ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
				} `json:"tlsDetails"`
			}
			mustJSON(t, events[0].CloudTrailEvent, &record)
			if !tc.wantTLS {
				if record.TLSDetails != nil {
					t.Fatalf("a call over plain HTTP has tlsDetails: %s", events[0].CloudTrailEvent)
				}
				return
			}
			host := strings.TrimPrefix(s.httpsEndpoint, "https://")
			if d := record.TLSDetails; d == nil || !strings.HasPrefix(d.TLSVersion, "TLSv1.") || d.CipherSuite == "" || d.ClientProvidedHostHeader != host {
				t.Fatalf("a call over TLS has tlsDetails %+v, want tlsVersion, cipherSuite and clientProvidedHostHeader %s:\n%s",
					d, host, events[0].CloudTrailEvent)
			}
		})
	}
}
