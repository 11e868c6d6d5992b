package postpolicy

import (
	"errors"
	"testing"
	"time"
)

var parseCases = []struct {
	name    string
	doc     string
	wantErr string // S3 message, "" for success
}{
	{"minimal", `{"expiration": "2026-01-01T00:00:00Z", "conditions": []}`, ""},
	{"milliseconds", `{"expiration": "2026-01-01T00:00:00.000Z", "conditions": [{"bucket": "b"}]}`, ""},
	{"operators in any case", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["StArTs-WiTh", "$KeY", "foo"], ["EQ", "$Acl", "private"]]}`, ""},
	{"range as strings", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["content-length-range", "5", "10"]]}`, ""},
	{"range not numbers parses", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["content-length-range", "test", "10"]]}`, ""},
	{"field without dollar parses", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["eq", "key", "a"]]}`, ""},
	{"not JSON", `{"expiration": `, "Invalid Policy: Invalid JSON."},
	{"trailing comma", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [{"bucket": "b"},]}`, "Invalid Policy: Invalid JSON."},
	{"trailing data", `{"expiration": "2026-01-01T00:00:00Z", "conditions": []} {}`, "Invalid Policy: Invalid JSON."},
	{"not an object", `["expiration"]`, "Invalid Policy: Invalid JSON."},
	{"null", `null`, "Invalid Policy: Invalid JSON."},
	{"unknown member", `{"Version": "2012-10-17", "expiration": "2026-01-01T00:00:00Z", "conditions": []}`, "Invalid Policy: Unexpected: 'version'"},
	{"upper-case expiration", `{"EXPIRATION": "2026-01-01T00:00:00Z", "conditions": []}`, "Invalid Policy: Unexpected: 'expiration'"},
	{"missing expiration", `{"conditions": []}`, "Invalid Policy: Policy missing expiration."},
	{"missing conditions", `{"expiration": "2026-01-01T00:00:00Z"}`, "Invalid Policy: Policy missing conditions."},
	{"conditions not a list", `{"expiration": "2026-01-01T00:00:00Z", "conditions": {"bucket": "b"}}`, "Invalid Policy: Invalid 'conditions' value: must be a List."},
	{"conditions null", `{"expiration": "2026-01-01T00:00:00Z", "conditions": null}`, "Invalid Policy: Invalid 'conditions' value: must be a List."},
	{"expiration with offset", `{"expiration": "2011-09-13T07:52:58+02:00", "conditions": []}`, "Invalid Policy: Invalid 'expiration' value: '2011-09-13T07:52:58+02:00'"},
	{"expiration with space", `{"expiration": "2015-10-17 03:15:59 UTC", "conditions": []}`, "Invalid Policy: Invalid 'expiration' value: '2015-10-17 03:15:59 UTC'"},
	{"expiration number", `{"expiration": 1, "conditions": []}`, "Invalid Policy: Invalid 'expiration' value: must be a string."},
	{"empty simple condition", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [{}]}`, "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
	{"two-property simple condition", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [{"bucket": "b", "acl": "x"}]}`, "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
	{"number simple condition", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [{"Content-Length": 6199034}]}`, "Invalid Policy: Invalid Simple-Condition: value must be a string."},
	{"null simple condition", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [{"success_action_redirect": null}]}`, "Invalid Policy: Invalid JSON."},
	{"empty list condition", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [[]]}`, "Invalid Policy: Invalid Condition: missing operation identifier."},
	{"operation not a string", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [[1, "$key", "a"]]}`, "Invalid Policy: Invalid Condition: missing operation identifier."},
	{"unknown operation", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["ends-with", "$key", "a"]]}`, "Invalid Policy: Invalid Condition: unknown operation 'ends-with'."},
	{"eq with two arguments", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["eq", "$key"]]}`, "Invalid Policy: Invalid eq: wrong number of arguments."},
	{"eq with a number", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["eq", "$key", 1]]}`, "Invalid Policy: Invalid JSON."},
	{"range missing bound", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["content-length-range", 0]]}`, "Invalid Policy: Invalid content-length-range: wrong number of arguments."},
	{"range negative", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["content-length-range", -1, 0]]}`, "Invalid Policy: Invalid content-length-range: bounds must satisfy 0 <= min <= max."},
	{"range reversed", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["content-length-range", 10, 5]]}`, "Invalid Policy: Invalid content-length-range: bounds must satisfy 0 <= min <= max."},
	{"range float", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["content-length-range", 0, 512.0]]}`, "Invalid Policy: Invalid JSON."},
	{"range bool", `{"expiration": "2026-01-01T00:00:00Z", "conditions": [["content-length-range", 0, true]]}`, "Invalid Policy: Invalid JSON."},
	{"condition a string", `{"expiration": "2026-01-01T00:00:00Z", "conditions": ["bucket"]}`, "Invalid Policy: Invalid condition test: must be a List or Object."},
}

func TestParse(t *testing.T) {
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if !p.Expiration.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
					t.Fatalf("Expiration = %v", p.Expiration)
				}
				return
			}
			if !errors.Is(err, ErrMalformedPolicy) || err.Error() != tt.wantErr {
				t.Fatalf("Parse error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestParsedConditions(t *testing.T) {
	p, err := Parse([]byte(`{"expiration": "2026-01-01T00:00:00Z", "conditions": [{"X-Amz-Meta-Tag": "a\"b"}, ["Starts-With", "$Content-Type", "image/"], ["content-length-range", 1, "10"]]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Condition{
		{Op: OpEq, Field: "x-amz-meta-tag", Value: `a"b`, text: `["eq", "$X-Amz-Meta-Tag", "a\"b"]`},
		{Op: OpStartsWith, Field: "content-type", Value: "image/", text: `["Starts-With", "$Content-Type", "image/"]`},
		{Op: OpContentLengthRange, Min: 1, Max: 10, text: `["content-length-range", 1, "10"]`},
	}
	if len(p.Conditions) != len(want) {
		t.Fatalf("Conditions = %+v", p.Conditions)
	}
	for i, c := range p.Conditions {
		if c != want[i] {
			t.Errorf("condition %d = %+v, want %+v", i, c, want[i])
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseCases {
		f.Add([]byte(tt.doc))
	}
	f.Add([]byte(awsExamplePolicy))
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || !errors.Is(err, ErrMalformedPolicy) {
				t.Fatalf("error %v is not a malformed-policy *Error", err)
			}
			return
		}
		for _, c := range p.Conditions {
			switch c.Op {
			case OpEq, OpStartsWith, OpContentLengthRange:
			default:
				t.Fatalf("unknown operator %q", c.Op)
			}
			if c.Op == OpContentLengthRange && !c.unsatisfiable && (c.Min < 0 || c.Min > c.Max) {
				t.Fatalf("range %d..%d accepted", c.Min, c.Max)
			}
			if c.text == "" {
				t.Fatal("condition without its printed form")
			}
		}
		// Checking any form against a parsed policy must not panic.
		p.Check(map[string]string{"key": "k", "content-type": "a,b"}, 5)
		p.CheckLength(0)
		p.MaxLength()
	})
}
