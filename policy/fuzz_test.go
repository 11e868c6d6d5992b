package policy

import (
	"errors"
	"reflect"
	"sync"
	"testing"
)

// seedDocuments are every document the table tests use.
func seedDocuments(t testing.TB) [][]byte {
	var docs [][]byte
	files := loadEvalFiles(t)
	for _, name := range sortedKeys(files) {
		docs = append(docs, files[name].Policy)
	}
	for _, c := range loadMalformedCases(t) {
		docs = append(docs, c.document(t))
	}
	for _, c := range loadOperatorCases(t) {
		docs = append(docs, []byte(c.document()))
	}
	return docs
}

var fuzzRequests = []Request{
	{Action: "s3:PutObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/k"},
	{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/k1",
		Conditions: map[string][]string{"aws:SecureTransport": {"false"}, "s3:x-amz-server-side-encryption": {"AES256"}, "aws:username": {"alice"}}},
	{Action: "s3:GetObject", Resource: "*", Conditions: map[string][]string{"aws:TagKeys": {"a", "b"}, "aws:SourceIp": {"10.0.0.1"}}},
}

// FuzzParse: no input panics; a refusal is always an *Error with a
// message; an accepted document evaluates without panicking, the same way
// twice, with decisions that name a statement of the right effect.
func FuzzParse(f *testing.F) {
	for _, doc := range seedDocuments(f) {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, kind := range []Kind{ResourcePolicy, IdentityPolicy} {
			p, err := ParseWith(doc, Options{Kind: kind})
			if err != nil {
				var perr *Error
				if !errors.As(err, &perr) || perr.Message == "" || perr.Reason.String() == "" || perr.Statement < -1 {
					t.Fatalf("bad refusal %#v", err)
				}
				continue
			}
			again, err := ParseWith(doc, Options{Kind: kind})
			if err != nil || !reflect.DeepEqual(p.Statements(), again.Statements()) {
				t.Fatalf("parsing twice differs: %v", err)
			}
			if len(p.Statements()) == 0 {
				t.Fatal("accepted a document without statements")
			}
			for _, req := range fuzzRequests {
				for _, name := range sortedKeys(principals) {
					req.Principal = principals[name]
					d := p.Evaluate(req)
					checkDecisionShape(t, p, d)
					if d != again.Evaluate(req) {
						t.Fatal("evaluation is not deterministic")
					}
				}
			}
		}
	})
}

// FuzzEvaluate drives the evaluator with arbitrary actions, resources and
// context values against the table policies.
func FuzzEvaluate(f *testing.F) {
	files := loadEvalFiles(f)
	for _, name := range sortedKeys(files) {
		file := files[name]
		for _, c := range file.Cases {
			key, value := "aws:username", "alice"
			for k, v := range contextValues(f, c.Conditions) {
				if len(v) > 0 {
					key, value = k, v[0]
				}
				break
			}
			f.Add([]byte(file.Policy), c.Action, c.Resource, key, value)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, action, resource, key, value string) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		ctx := map[string][]string{key: {value}, "aws:username": {value}, "aws:TagKeys": {value, key}}
		for _, name := range sortedKeys(principals) {
			req := Request{Principal: principals[name], Action: action, Resource: resource, Conditions: ctx}
			checkDecisionShape(t, p, p.Evaluate(req))
		}
	})
}

// TestConcurrentEvaluate: a Policy is shared by every request; run with
// -race.
func TestConcurrentEvaluate(t *testing.T) {
	files := loadEvalFiles(t)
	var wg sync.WaitGroup
	for _, name := range sortedKeys(files) {
		f := files[name]
		p := mustParse(t, string(f.Policy), f.kind())
		requests := make([]Request, len(f.Cases))
		for i, c := range f.Cases {
			requests[i] = c.request(t)
		}
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j, c := range f.Cases {
					if got := p.Evaluate(requests[j]).Effect.String(); got != c.Want {
						t.Errorf("%s/%s: %s, want %s", name, c.Name, got, c.Want)
					}
				}
			}()
		}
	}
	wg.Wait()
}
