package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bucketPolicyCase is one entry of testdata/bucketpolicy.json: a policy put
// on a bucket, accepted when Reason is empty.
type bucketPolicyCase struct {
	Name      string          `json:"name"`
	Bucket    string          `json:"bucket"`
	Policy    json.RawMessage `json:"policy"`
	Pad       int             `json:"pad"` // append spaces up to this size, then one more
	Reason    string          `json:"reason"`
	Message   string          `json:"message"`
	Statement *int            `json:"statement"`
}

func (c bucketPolicyCase) document() []byte {
	doc := bytes.Clone(c.Policy)
	if c.Pad > len(doc) {
		doc = append(doc, bytes.Repeat([]byte(" "), c.Pad+1-len(doc))...)
	}
	return doc
}

func loadJSON[T any](t testing.TB, name string) []T {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var cases []T
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cases
}

func TestValidateBucketPolicy(t *testing.T) {
	for _, c := range loadJSON[bucketPolicyCase](t, "bucketpolicy.json") {
		t.Run(c.Name, func(t *testing.T) {
			err := ValidateBucketPolicy(c.document(), c.Bucket)
			if c.Reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %v, want *Error %s", err, c.Reason)
			}
			want := -1
			if c.Statement != nil {
				want = *c.Statement
			}
			if perr.Reason.String() != c.Reason || perr.Message != c.Message || perr.Statement != want {
				t.Fatalf("got %s %q statement %d, want %s %q statement %d", perr.Reason, perr.Message, perr.Statement, c.Reason, c.Message, want)
			}
			if !strings.HasPrefix(perr.Public(), c.Message) {
				t.Fatalf("Public() = %q", perr.Public())
			}
		})
	}
}

// TestS3ActionTable: each S3 action once, well formed, with a scope.
func TestS3ActionTable(t *testing.T) {
	seen := map[string]bool{}
	for i, a := range S3Actions() {
		lower := strings.ToLower(a)
		if seen[lower] || !validActionName(a) || !strings.HasPrefix(a, "s3:") || strings.ContainsAny(a, "*?") || s3Scopes[i] == 0 {
			t.Errorf("bad or repeated action %q", a)
		}
		seen[lower] = true
	}
	for _, a := range bucketPolicyActions {
		if !seen[strings.ToLower(a)] {
			t.Errorf("%s is not an S3 action", a)
		}
	}
	s := S3Actions()
	s[0] = "mutated"
	if S3Actions()[0] == "mutated" {
		t.Fatal("S3Actions returns the package's own slice")
	}
}

// TestAWSBucketPoliciesValidate: the bucket policies of the eval files
// (s3-*.json: AWS's examples and the spec's) are valid for their bucket,
// as they are on Amazon S3.
func TestAWSBucketPoliciesValidate(t *testing.T) {
	files := loadEvalFiles(t)
	for _, name := range sortedKeys(files) {
		if !strings.HasPrefix(name, "s3-") && !strings.HasPrefix(name, "spec-") {
			continue
		}
		p := mustParse(t, string(files[name].Policy), ResourcePolicy)
		bucket, _, _ := strings.Cut(strings.TrimPrefix(p.Statements()[0].Resources[0], "arn:aws:s3:::"), "/")
		if err := ValidateBucketPolicy(files[name].Policy, bucket); err != nil {
			t.Errorf("%s (bucket %s): %v", name, bucket, err)
		}
	}
}
