package policy

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/cofferlabs/coffer"
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

// fuzzCalls are the requests FuzzAuthorize makes: S3 object and bucket
// actions, a bucket-policy action (root's exception), a KMS action on a
// key (key-policy rules) and one on no key.
var fuzzCalls = []coffer.AccessRequest{
	{Action: "s3:GetObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/public/k"},
	{Action: "s3:PutObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/k", Conditions: map[string][]string{"s3:x-amz-server-side-encryption": {"AES256"}}},
	{Action: "s3:PutObject", Resource: "arn:aws:s3:::amzn-s3-demo-bucket/k"},
	{Action: "s3:ListBucket", Resource: "arn:aws:s3:::amzn-s3-demo-bucket", Conditions: map[string][]string{"s3:prefix": {"home/alice/"}}},
	{Action: "s3:DeleteBucketPolicy", Resource: "arn:aws:s3:::amzn-s3-demo-bucket"},
	{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/k1", Conditions: map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}}},
}

var fuzzCallers = []string{"root", "alice", "carol", "anonymous"}

// FuzzAuthorize gives the authorizer arbitrary documents as alice's one
// identity policy and as the resource policy, and checks, for every
// caller and call:
//
//   - nothing panics, and the same inputs give the same answer;
//   - a document that fails to parse never allows: if the resource policy
//     does not parse, or alice's identity policy does not parse and the
//     caller is alice (whose policies are consulted), the decision is not
//     Allowed and an error wrapping the *Error is returned, whatever the
//     other document says. The one exception is the account root's
//     bucket-policy actions, always allowed without reading any policy;
//   - otherwise there is no error, and: an explicit Deny that applies
//     (in either document) makes the decision a denial naming it; an
//     Allowed decision always rests on an Allow that applies (the
//     identity policy's, or a resource-policy Allow that names the
//     caller, or everyone, or the account for the root user), except for
//     the account root outside key-policy rules; an anonymous caller or
//     another account's is allowed only by a resource-policy Allow that
//     takes it in directly.
func FuzzAuthorize(f *testing.F) {
	docs := seedDocuments(f)
	identity := [][]byte{nil}
	files := loadEvalFiles(f)
	for _, name := range sortedKeys(files) {
		if files[name].kind() == IdentityPolicy {
			identity = append(identity, files[name].Policy)
		}
	}
	for i, doc := range docs {
		f.Add(identity[i%len(identity)], doc, true)
	}
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`), []byte(`{"Statement":{"Effect":"Allow","Action":"s3:*"}}`), false)
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Action":"*"}}`), []byte(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`), true)
	f.Fuzz(func(t *testing.T, identityDoc, resourceDoc []byte, secure bool) {
		a := newTestAuthorizer(directory{principals["alice"].ARN: {string(identityDoc)}})
		ip, identityErr := ParseWith(identityDoc, Options{Kind: IdentityPolicy, MaxSize: maxEvaluatedSize})
		rp, resourceErr := ParseWith(resourceDoc, Options{Kind: ResourcePolicy, MaxSize: maxEvaluatedSize})
		if resourceDoc == nil { // no resource policy at all
			rp, resourceErr = nil, nil
		}
		for _, caller := range fuzzCallers {
			for _, call := range fuzzCalls {
				call.ResourcePolicy = resourceDoc
				ctx := callerContext(caller, coffer.RequestInfo{SecureTransport: secure, SourceIP: "192.0.2.1"})
				d, err := a.Authorize(ctx, call)
				again, err2 := a.Authorize(ctx, call)
				if d != again || (err == nil) != (err2 == nil) {
					t.Fatalf("%s %s: not deterministic: %+v %v / %+v %v", caller, call.Action, d, err, again, err2)
				}
				checkAuthorization(t, caller, call, d, err, ip, identityErr, rp, resourceErr, secure)
			}
		}
	})
}

func checkAuthorization(t *testing.T, caller string, call coffer.AccessRequest, d coffer.AccessDecision, err error,
	ip *Policy, identityErr error, rp *Policy, resourceErr error, secure bool) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s %s: decision %+v, err %v: %s", caller, call.Action, d, err, fmt.Sprintf(format, args...))
	}
	if d.Allowed && (d.DenySid != "" || d.DeniedBy != "") || (d.DenySid == "") != (d.DeniedBy == "") {
		fail("inconsistent decision")
	}
	root := caller == "root"
	if root && isBucketPolicyAction(call.Action) {
		if !d.Allowed || err != nil {
			fail("root's bucket-policy action refused")
		}
		return
	}
	identityConsulted := caller == "alice"
	if resourceErr != nil || identityConsulted && identityErr != nil {
		var perr *Error
		if d.Allowed || d.DenySid != "" || err == nil || !errors.As(err, &perr) {
			fail("a document that does not parse must fail the call closed with its *Error")
		}
		return
	}
	if err != nil {
		fail("unexpected error")
	}
	req := Request{Principal: principals[caller], Action: call.Action, Resource: call.Resource,
		Conditions: mergeConditions(GlobalConditions(principals[caller], coffer.RequestInfo{SecureTransport: secure, SourceIP: "192.0.2.1"}, testEpoch), call.Conditions)}
	rd := Decision{Statement: -1}
	if rp != nil {
		rd = rp.Evaluate(req)
	}
	id := Decision{Statement: -1}
	if identityConsulted {
		id = ip.Evaluate(req)
	}
	switch {
	case rd.Effect == Deny:
		if d.Allowed || d.DenySid != DenySid(rd) || d.DeniedBy != "resource" {
			fail("the resource policy's deny %+v is not the answer", rd)
		}
		return
	case id.Effect == Deny:
		if d.Allowed || d.DenySid != DenySid(id) || d.DeniedBy != "identity" {
			fail("the identity policy's deny %+v is not the answer", id)
		}
		return
	case d.DenySid != "":
		fail("a deny no policy made")
	}
	if !d.Allowed {
		return
	}
	keyRules := strings.HasPrefix(call.Action, "kms:")
	direct := rd.Effect == Allow && rd.Principal != MatchAccount
	switch {
	case root && !keyRules:
	case caller == "anonymous" || caller == "carol":
		if !direct {
			fail("allowed without a resource-policy Allow naming the caller (%+v)", rd)
		}
	case keyRules:
		if !direct && !(rd.Effect == Allow && id.Effect == Allow) {
			fail("allowed by neither the key policy nor its delegation (%+v, %+v)", rd, id)
		}
	default:
		if !direct && id.Effect != Allow {
			fail("allowed with no Allow that applies (%+v, %+v)", rd, id)
		}
	}
}
