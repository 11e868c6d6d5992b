package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// malformedCase is one entry of testdata/malformed.json. Policy is the
// document: a JSON string holds the raw text (for documents that are not
// valid JSON), anything else is the document itself.
type malformedCase struct {
	Name      string          `json:"name"`
	Kind      string          `json:"kind"`
	Policy    json.RawMessage `json:"policy"`
	Reason    string          `json:"reason"`
	Message   string          `json:"message"`
	Statement *int            `json:"statement"`
	MaxSize   int             `json:"maxSize"`
	Actions   []string        `json:"actions"`
}

func (c malformedCase) document(t testing.TB) []byte {
	t.Helper()
	if len(c.Policy) > 0 && c.Policy[0] == '"' {
		var raw string
		if err := json.Unmarshal(c.Policy, &raw); err != nil {
			t.Fatal(err)
		}
		return []byte(raw)
	}
	return c.Policy
}

func (c malformedCase) options() Options {
	opts := Options{MaxSize: c.MaxSize, Actions: c.Actions}
	if c.Kind == "identity" {
		opts.Kind = IdentityPolicy
	}
	return opts
}

func loadMalformedCases(t testing.TB) []malformedCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "malformed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []malformedCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestMalformed checks that each broken document is refused with the
// expected reason, AWS message and statement index, and a detail that
// says more than nothing for statement-level faults.
func TestMalformed(t *testing.T) {
	for _, c := range loadMalformedCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			p, err := ParseWith(c.document(t), c.options())
			if err == nil {
				t.Fatalf("parsed, want %s; statements: %+v", c.Reason, p.Statements())
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if perr.Reason.String() != c.Reason {
				t.Errorf("reason = %s, want %s (%v)", perr.Reason, c.Reason, err)
			}
			if perr.Message != c.Message {
				t.Errorf("message = %q, want %q", perr.Message, c.Message)
			}
			want := -1
			if c.Statement != nil {
				want = *c.Statement
			}
			if perr.Statement != want {
				t.Errorf("statement = %d, want %d", perr.Statement, want)
			}
			if !strings.Contains(err.Error(), perr.Message) || !strings.HasPrefix(perr.Public(), perr.Message) {
				t.Errorf("Error() %q / Public() %q do not carry the message", err.Error(), perr.Public())
			}
		})
	}
}

// TestPublicMessage shows what a client reads: the AWS text, then the
// detail naming the culprit, quoted so that it cannot forge log lines.
func TestPublicMessage(t *testing.T) {
	doc := `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"alice\nFORGED"},"Action":"s3:*","Resource":"*"}]}`
	_, err := Parse([]byte(doc))
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("err = %v", err)
	}
	want := `Invalid principal in policy: not an account id or an IAM principal ARN: "alice\nFORGED"`
	if got := perr.Public(); got != want {
		t.Fatalf("Public() = %q, want %q", got, want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("Error() holds a raw newline: %q", err.Error())
	}
}

// TestDetailIsBounded: a hostile value does not make the error large.
func TestDetailIsBounded(t *testing.T) {
	huge := strings.Repeat("x", 1<<16)
	_, err := Parse([]byte(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"` + huge + `","Resource":"*"}}`))
	if err == nil || len(err.Error()) > 400 {
		t.Fatalf("error of %d bytes: %.200v", len(err.Error()), err)
	}
}
