package iamapi

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var (
	requestIDPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	userIDPattern    = regexp.MustCompile(`AIDA[A-Z0-9]{17}`)
	keyIDPattern     = regexp.MustCompile(`AKIA[A-Z0-9]{16}`)
	secretPattern    = regexp.MustCompile(`<SecretAccessKey>[A-Za-z0-9+/]{40}</SecretAccessKey>`)
	datePattern      = regexp.MustCompile(`<CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</CreateDate>`)
)

// normalize replaces what is random in a response (ids, secrets, request
// ids, creation dates but root's) with placeholders; everything else is
// compared byte for byte.
func normalize(body string) string {
	s := requestIDPattern.ReplaceAllString(body, "<request-id>")
	s = userIDPattern.ReplaceAllString(s, "<user-id>")
	s = keyIDPattern.ReplaceAllString(s, "<access-key-id>")
	s = secretPattern.ReplaceAllString(s, "<SecretAccessKey><secret></SecretAccessKey>")
	return datePattern.ReplaceAllStringFunc(s, func(m string) string {
		if m == "<CreateDate>2026-03-04T05:06:07Z</CreateDate>" {
			return m
		}
		return "<CreateDate><now></CreateDate>"
	})
}

// TestGoldenResponses pins the exact bytes of a response of every kind:
// element names and order, namespaces, empty lists, the error envelope.
func TestGoldenResponses(t *testing.T) {
	s := startServer(t)
	bob := s.newUser(t, "bob")
	mustOK(t, "PutUserPolicy", s.iam(t, root, form("PutUserPolicy", "UserName", "bob", "PolicyName", "read", "PolicyDocument", allowRead)))
	for _, step := range []struct {
		name    string
		c       creds
		service string
		form    url.Values
		status  int
	}{
		{"create-user", root, serviceIAM, form("CreateUser", "UserName", "alice", "Path", "/eng/"), 200},
		{"get-user", root, serviceIAM, form("GetUser", "UserName", "alice"), 200},
		{"get-user-root", root, serviceIAM, form("GetUser"), 200},
		{"list-users", root, serviceIAM, form("ListUsers", "MaxItems", "1"), 200},
		{"list-users-empty", root, serviceIAM, form("ListUsers", "PathPrefix", "/none/"), 200},
		{"create-access-key", root, serviceIAM, form("CreateAccessKey", "UserName", "alice"), 200},
		{"list-access-keys", root, serviceIAM, form("ListAccessKeys", "UserName", "alice"), 200},
		{"update-access-key", root, serviceIAM, form("UpdateAccessKey", "UserName", "bob", "AccessKeyId", bob.id, "Status", "Active"), 200},
		{"get-user-policy", root, serviceIAM, form("GetUserPolicy", "UserName", "bob", "PolicyName", "read"), 200},
		{"list-user-policies", root, serviceIAM, form("ListUserPolicies", "UserName", "bob"), 200},
		{"get-caller-identity", bob, serviceSTS, stsForm("GetCallerIdentity"), 200},
		{"error-no-such-entity", root, serviceIAM, form("GetUser", "UserName", "nobody"), 404},
		{"error-access-denied", bob, serviceIAM, form("DeleteUser", "UserName", "alice"), 403},
		{"error-sts", bob, serviceSTS, stsForm("AssumeRole"), 400},
	} {
		t.Run(step.name, func(t *testing.T) {
			r := s.call(t, step.c, step.service, step.form.Encode())
			if r.status != step.status {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			got := normalize(r.body)
			path := filepath.Join("testdata", "golden", step.name+".xml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got+"\n" != string(want) {
				t.Fatalf("response\n%s\nwant\n%s", got, want)
			}
		})
	}
}
