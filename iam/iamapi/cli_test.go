package iamapi

import (
	"strings"
	"testing"

	"github.com/cofferlabs/coffer/internal/testkit"
)

// newAWSCLI is the aws CLI against the test server, signing as c.
func newAWSCLI(t *testing.T, url string, c creds) *testkit.AWSCLI {
	return testkit.NewAWSCLI(t, url, c.id, c.secret)
}

// TestAWSCLI drives the whole user lifecycle with the aws CLI: root
// creates alice and her key and policy; alice, signing with her own key,
// learns who she is and is refused what no policy allows.
func TestAWSCLI(t *testing.T) {
	s := startServer(t)
	cli := newAWSCLI(t, s.URL, root)

	var user struct {
		User struct{ UserName, UserId, Arn, Path, CreateDate string }
	}
	cli.JSON(&user, "iam", "create-user", "--user-name", "alice", "--path", "/eng/")
	if user.User.UserName != "alice" || user.User.Arn != "arn:aws:iam::111122223333:user/eng/alice" || user.User.Path != "/eng/" ||
		!strings.HasPrefix(user.User.UserId, "AIDA") || user.User.CreateDate == "" {
		t.Fatalf("create-user = %+v", user.User)
	}
	if stderr := cli.Run(true, "iam", "create-user", "--user-name", "Alice"); !strings.Contains(stderr, "(EntityAlreadyExists)") ||
		!strings.Contains(stderr, "User with name Alice already exists.") {
		t.Fatalf("create-user twice: %s", stderr)
	}
	cli.JSON(&user, "iam", "get-user", "--user-name", "alice")
	if user.User.Arn != "arn:aws:iam::111122223333:user/eng/alice" {
		t.Fatalf("get-user = %+v", user.User)
	}

	var key struct {
		AccessKey struct{ UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string }
	}
	cli.JSON(&key, "iam", "create-access-key", "--user-name", "alice")
	k := key.AccessKey
	if k.UserName != "alice" || len(k.AccessKeyId) != 20 || !strings.HasPrefix(k.AccessKeyId, "AKIA") || len(k.SecretAccessKey) != 40 || k.Status != "Active" {
		t.Fatalf("create-access-key = %s %s %d-character secret", k.AccessKeyId, k.Status, len(k.SecretAccessKey))
	}
	alice := cli.As(k.AccessKeyId, k.SecretAccessKey)

	var keys struct {
		AccessKeyMetadata []struct{ UserName, AccessKeyId, Status, SecretAccessKey string }
	}
	cli.JSON(&keys, "iam", "list-access-keys", "--user-name", "alice")
	if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].AccessKeyId != k.AccessKeyId || keys.AccessKeyMetadata[0].SecretAccessKey != "" {
		t.Fatalf("list-access-keys = %+v", keys)
	}

	var identity struct{ UserId, Account, Arn string }
	alice.JSON(&identity, "sts", "get-caller-identity")
	if identity.Arn != user.User.Arn || identity.UserId != user.User.UserId || identity.Account != testAccount {
		t.Fatalf("get-caller-identity as alice = %+v", identity)
	}
	cli.JSON(&identity, "sts", "get-caller-identity")
	if identity.Arn != "arn:aws:iam::111122223333:root" || identity.UserId != testAccount {
		t.Fatalf("get-caller-identity as root = %+v", identity)
	}
	if stderr := alice.Run(true, "iam", "list-users"); !strings.Contains(stderr, "(AccessDenied)") ||
		!strings.Contains(stderr, "User: arn:aws:iam::111122223333:user/eng/alice is not authorized to perform: iam:ListUsers on resource: *") {
		t.Fatalf("list-users as alice: %s", stderr)
	}

	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"Photos\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::photos/*\"}]\n}\n"
	cli.Run(false, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "photos", "--policy-document", "file://"+cli.File("photos.json", []byte(doc)))
	var policy struct {
		UserName, PolicyName string
		PolicyDocument       map[string]any // the CLI decodes the URL-encoded JSON
	}
	cli.JSON(&policy, "iam", "get-user-policy", "--user-name", "alice", "--policy-name", "photos")
	statements, _ := policy.PolicyDocument["Statement"].([]any)
	if policy.UserName != "alice" || policy.PolicyName != "photos" || policy.PolicyDocument["Version"] != "2012-10-17" || len(statements) != 1 {
		t.Fatalf("get-user-policy = %+v", policy)
	}
	if stderr := cli.Run(true, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "bad",
		"--policy-document", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`); !strings.Contains(stderr, "(MalformedPolicyDocument)") ||
		!strings.Contains(stderr, "Policy document should not specify a principal.") {
		t.Fatalf("put-user-policy with a principal: %s", stderr)
	}
	var names struct{ PolicyNames []string }
	cli.JSON(&names, "iam", "list-user-policies", "--user-name", "alice")
	if strings.Join(names.PolicyNames, ",") != "photos" {
		t.Fatalf("list-user-policies = %+v", names)
	}

	cli.Run(false, "iam", "update-access-key", "--user-name", "alice", "--access-key-id", k.AccessKeyId, "--status", "Inactive")
	cli.JSON(&keys, "iam", "list-access-keys", "--user-name", "alice")
	if keys.AccessKeyMetadata[0].Status != "Inactive" {
		t.Fatalf("after update-access-key: %+v", keys)
	}
	if stderr := alice.Run(true, "sts", "get-caller-identity"); !strings.Contains(stderr, "(InvalidClientTokenId)") {
		t.Fatalf("get-caller-identity with an inactive key: %s", stderr)
	}
	cli.Run(false, "iam", "update-access-key", "--user-name", "alice", "--access-key-id", k.AccessKeyId, "--status", "Active")
	alice.JSON(&identity, "sts", "get-caller-identity")

	if stderr := cli.Run(true, "iam", "delete-user", "--user-name", "alice"); !strings.Contains(stderr, "(DeleteConflict)") {
		t.Fatalf("delete-user with keys: %s", stderr)
	}
	cli.Run(false, "iam", "delete-access-key", "--user-name", "alice", "--access-key-id", k.AccessKeyId)
	cli.Run(false, "iam", "delete-user-policy", "--user-name", "alice", "--policy-name", "photos")
	cli.Run(false, "iam", "delete-user", "--user-name", "alice")
	if stderr := cli.Run(true, "iam", "get-user", "--user-name", "alice"); !strings.Contains(stderr, "(NoSuchEntity)") {
		t.Fatalf("get-user after delete-user: %s", stderr)
	}
	if stderr := alice.Run(true, "sts", "get-caller-identity"); !strings.Contains(stderr, "(InvalidClientTokenId)") {
		t.Fatalf("get-caller-identity with a deleted key: %s", stderr)
	}
}

// TestAWSCLIPagination: the CLI follows markers to list every user, page
// by page.
func TestAWSCLIPagination(t *testing.T) {
	s := startServer(t)
	cli := newAWSCLI(t, s.URL, root)
	for _, name := range []string{"u1", "u2", "u3", "u4", "u5"} {
		mustOK(t, "CreateUser", s.iam(t, root, form("CreateUser", "UserName", name)))
	}
	var users struct{ Users []struct{ UserName string } }
	cli.JSON(&users, "iam", "list-users", "--page-size", "2")
	var got []string
	for _, u := range users.Users {
		got = append(got, u.UserName)
	}
	if strings.Join(got, " ") != "u1 u2 u3 u4 u5" {
		t.Fatalf("list-users --page-size 2 = %v", got)
	}
	pages := 0
	for _, req := range s.authz.requests {
		if req.Action == "iam:ListUsers" {
			pages++
		}
	}
	if pages != 3 {
		t.Fatalf("the CLI made %d ListUsers requests, want 3 pages", pages)
	}
}
