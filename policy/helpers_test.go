package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cofferlabs/coffer"
)

// principals are the callers test files name.
var principals = map[string]coffer.Principal{
	"root":       {AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:root", UserID: "111122223333", AccessKeyID: "AKIAROOT"},
	"alice":      {AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice", UserID: "AIDAALICE"},
	"bob":        {AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/bob", UserName: "bob", UserID: "AIDABOB"},
	"jane":       {AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/Jane", UserName: "Jane", UserID: "AIDAJANE"},
	"deployer":   {AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/ci/deployer", UserName: "deployer", UserID: "AIDADEPLOY"},
	"app-role":   {AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:role/app"},
	"other-root": {AccountID: "444455556666", ARN: "arn:aws:iam::444455556666:root", UserID: "444455556666"},
	"carol":      {AccountID: "444455556666", ARN: "arn:aws:iam::444455556666:user/carol", UserName: "carol", UserID: "AIDACAROL"},
	"anonymous":  {Anonymous: true},
}

// evalFile is one file under testdata/eval: a policy and requests with the
// decision each must get.
type evalFile struct {
	Title  string          `json:"title"`
	Source string          `json:"source"`
	Kind   string          `json:"kind"` // "resource" (default) or "identity"
	Policy json.RawMessage `json:"policy"`
	Cases  []evalCase      `json:"cases"`
}

type evalCase struct {
	Name       string                     `json:"name"`
	Principal  string                     `json:"principal"`
	Action     string                     `json:"action"`
	Resource   string                     `json:"resource"`
	Conditions map[string]json.RawMessage `json:"conditions"`
	Want       string                     `json:"want"` // Allow, Deny, NotApplicable
	Sid        *string                    `json:"sid"`  // the deciding statement, when given
	Via        string                     `json:"via"`  // PrincipalMatch name, when given
}

func (f evalFile) kind() Kind {
	if f.Kind == "identity" {
		return IdentityPolicy
	}
	return ResourcePolicy
}

func (c evalCase) request(t testing.TB) Request {
	t.Helper()
	p, ok := principals[c.Principal]
	if !ok {
		t.Fatalf("unknown principal %q", c.Principal)
	}
	return Request{Principal: p, Action: c.Action, Resource: c.Resource, Conditions: contextValues(t, c.Conditions)}
}

// contextValues reads condition values written as a string or a list.
func contextValues(t testing.TB, raw map[string]json.RawMessage) map[string][]string {
	t.Helper()
	if raw == nil {
		return nil
	}
	out := map[string][]string{}
	for k, v := range raw {
		var one string
		if err := json.Unmarshal(v, &one); err == nil {
			out[k] = []string{one}
			continue
		}
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			t.Fatalf("condition %s: %v", k, err)
		}
		out[k] = list
	}
	return out
}

func loadEvalFiles(t testing.TB) map[string]evalFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "eval", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no eval files: %v", err)
	}
	files := map[string]evalFile{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f evalFile
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		files[filepath.Base(path)] = f
	}
	return files
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func mustParse(t testing.TB, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := ParseWith([]byte(doc), Options{Kind: kind})
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, doc)
	}
	return p
}
