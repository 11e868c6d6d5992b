package iamapi

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pythonWithBoto3 finds a python on PATH that has boto3.
func pythonWithBoto3(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"python", "python3"} {
		if p, err := exec.LookPath(name); err == nil {
			if exec.Command(p, "-c", "import boto3").Run() == nil {
				return p
			}
		}
	}
	t.Skip("no python with boto3 on PATH")
	return ""
}

type botoError struct {
	Code    string
	Status  int
	Message string
}

// TestBoto3 runs testdata/boto3_iam.py against the server: users, keys,
// policies (botocore decodes the URL-encoded document), pagination,
// errors, and STS as the new user.
func TestBoto3(t *testing.T) {
	python := pythonWithBoto3(t)
	s := startServer(t)
	cmd := exec.Command(python, filepath.Join("testdata", "boto3_iam.py"))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "ENDPOINT="+s.URL, "ACCESS_KEY="+root.id, "SECRET_KEY="+root.secret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, stderr.String())
	}
	var out struct {
		User            string
		KeyID           string `json:"key_id"`
		SecretLength    int    `json:"secret_length"`
		PolicyRoundTrip bool   `json:"policy_round_trip"`
		Users           []string
		NoSuchEntity    botoError `json:"no_such_entity"`
		Malformed       botoError
		Limit           botoError
		Identity        struct{ UserId, Account, Arn string }
		Denied          botoError
		Inactive        botoError
	}
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("boto3 printed %q: %v", stdout, err)
	}
	bob, err := s.dir.GetUser("bob")
	if err != nil {
		t.Fatal(err)
	}
	for _, check := range []struct {
		name string
		ok   bool
	}{
		{"create_user", out.User == "arn:aws:iam::111122223333:user/ops/bob"},
		{"create_access_key", strings.HasPrefix(out.KeyID, "AKIA") && out.SecretLength == 40},
		{"get_user_policy", out.PolicyRoundTrip},
		{"paginated list_users", strings.Join(out.Users, " ") == "bob extra0 extra1 extra2"},
		{"NoSuchEntity", out.NoSuchEntity == botoError{"NoSuchEntity", 404, "The user with name nobody cannot be found."}},
		{"MalformedPolicyDocument", out.Malformed.Code == "MalformedPolicyDocument" && out.Malformed.Status == 400},
		{"LimitExceeded", out.Limit.Code == "LimitExceeded" && out.Limit.Status == 409},
		{"get_caller_identity", out.Identity.Arn == out.User && out.Identity.Account == testAccount && out.Identity.UserId == bob.ID},
		{"AccessDenied", out.Denied.Code == "AccessDenied" && out.Denied.Status == 403},
		{"InvalidClientTokenId", out.Inactive.Code == "InvalidClientTokenId" && out.Inactive.Status == 403},
	} {
		if !check.ok {
			t.Errorf("%s: %+v", check.name, out)
		}
	}
}
