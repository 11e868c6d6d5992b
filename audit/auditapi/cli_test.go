package auditapi

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// awsCLI runs the aws CLI against s with the test credentials in its
// environment and a temporary config file; it returns stdout, stderr and
// the exit error.
func awsCLI(t *testing.T, s *testServer, args ...string) (string, string, error) {
	t.Helper()
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Fatal("the aws CLI is not installed; CI installs it")
	}
	config := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(config, []byte("[default]\nregion = "+testRegion+"\noutput = json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), aws, append([]string{"--endpoint-url", s.URL}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecret,
		"AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

type cliOutput struct {
	Events []struct {
		EventName       string
		EventTime       float64 // the CLI v1 prints the epoch number as received
		Username        string
		CloudTrailEvent string
	}
	NextToken string
}

func TestAWSCLILookupEvents(t *testing.T) {
	s := newTestServer(t)
	cases := []struct {
		name     string
		args     []string
		want     []string // event names, newest first
		requests int32    // HTTP requests the CLI made (0: don't check)
		token    bool     // the CLI's own NextToken for --max-items
	}{
		{name: "by EventName", args: []string{"--lookup-attributes", "AttributeKey=EventName,AttributeValue=GenerateDataKey"},
			want: []string{"GenerateDataKey", "GenerateDataKey", "GenerateDataKey"}},
		{name: "by Username", args: []string{"--lookup-attributes", "AttributeKey=Username,AttributeValue=root"},
			want: []string{"Decrypt", "PutBucketEncryption", "GenerateDataKey", "CreateKey"}},
		{name: "by ResourceName", args: []string{"--lookup-attributes", "AttributeKey=ResourceName,AttributeValue=photos"},
			want: []string{"DeleteBucketEncryption", "PutBucketEncryption"}},
		{name: "by EventSource", args: []string{"--lookup-attributes", "AttributeKey=EventSource,AttributeValue=s3.amazonaws.com"},
			want: []string{"DeleteBucketEncryption", "PutBucketEncryption"}},
		{name: "by AccessKeyId", args: []string{"--lookup-attributes", "AttributeKey=AccessKeyId,AttributeValue=AKIAALICE"},
			want: []string{"DeleteBucketEncryption", "GenerateDataKey", "GenerateDataKey", "Decrypt"}},
		{name: "time range", args: []string{"--start-time", "2025-03-01T12:01:00Z", "--end-time", "2025-03-01T12:03:00Z"},
			want: []string{"PutBucketEncryption", "Decrypt", "GenerateDataKey"}},
		{name: "pages of two, followed by the CLI", args: []string{"--page-size", "2"},
			want: []string{"DeleteBucketEncryption", "GenerateDataKey", "Decrypt", "GenerateDataKey", "PutBucketEncryption",
				"Decrypt", "GenerateDataKey", "CreateKey"}, requests: 4},
		{name: "max items", args: []string{"--max-items", "3", "--page-size", "2"},
			want: []string{"DeleteBucketEncryption", "GenerateDataKey", "Decrypt"}, token: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := s.requests.Load()
			stdout, stderr, err := awsCLI(t, s, append([]string{"cloudtrail", "lookup-events"}, tc.args...)...)
			if err != nil {
				t.Fatalf("aws: %v\n%s", err, stderr)
			}
			var out cliOutput
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, stdout)
			}
			var got []string
			for _, e := range out.Events {
				got = append(got, e.EventName)
				if !json.Valid([]byte(e.CloudTrailEvent)) || e.EventTime < 1.7e9 {
					t.Fatalf("event %+v", e)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("events %v, want %v", got, tc.want)
			}
			if n := s.requests.Load() - before; tc.requests != 0 && n != tc.requests {
				t.Fatalf("the CLI made %d requests, want %d", n, tc.requests)
			}
			if (out.NextToken != "") != tc.token {
				t.Fatalf("NextToken %q, want one: %v", out.NextToken, tc.token)
			}
		})
	}
}

func TestAWSCLIErrors(t *testing.T) {
	s := newTestServer(t)
	cases := []struct {
		name string
		args []string
		code string
	}{
		{name: "two attributes", args: []string{"lookup-events", "--lookup-attributes",
			"AttributeKey=EventName,AttributeValue=Decrypt", "AttributeKey=Username,AttributeValue=root"}, code: "InvalidLookupAttributesException"},
		{name: "start after end", args: []string{"lookup-events", "--start-time", "2025-03-02T00:00:00Z", "--end-time", "2025-03-01T00:00:00Z"},
			code: "InvalidTimeRangeException"},
		{name: "bad token", args: []string{"lookup-events", "--starting-token", "eyJOZXh0VG9rZW4iOiAibm9wZSJ9"}, code: "InvalidNextTokenException"},
		{name: "other operation", args: []string{"describe-trails"}, code: "UnsupportedOperationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := awsCLI(t, s, append([]string{"cloudtrail"}, tc.args...)...)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || !strings.Contains(stderr, "("+tc.code+")") {
				t.Fatalf("aws: %v, want exit with %s\n%s", err, tc.code, stderr)
			}
			if exit.ExitCode() == 0 {
				t.Fatalf("exit code %s", strconv.Itoa(exit.ExitCode()))
			}
		})
	}
}
