package policy_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/cofferlabs/coffer"
	"github.com/cofferlabs/coffer/policy"
)

// A bucket policy that refuses uploads without SSE, judged for a plain PUT
// and for one with x-amz-server-side-encryption: AES256.
func Example() {
	p, err := policy.ParseWith([]byte(`{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Sid": "DenyUnencryptedObjectUploads",
	    "Effect": "Deny",
	    "Principal": "*",
	    "Action": "s3:PutObject",
	    "Resource": "arn:aws:s3:::photos/*",
	    "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": ["AES256", "aws:kms"]}}
	  }]
	}`), policy.Options{MaxSize: policy.MaxBucketPolicySize})
	if err != nil {
		fmt.Println(err)
		return
	}
	alice := coffer.Principal{AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice"}
	for _, sse := range []string{"", "AES256"} {
		ctx := policy.GlobalConditions(alice, coffer.RequestInfo{SecureTransport: true}, time.Now())
		if sse != "" {
			ctx["s3:x-amz-server-side-encryption"] = []string{sse}
		}
		d := p.Evaluate(policy.Request{Principal: alice, Action: "s3:PutObject", Resource: "arn:aws:s3:::photos/cat.jpg", Conditions: ctx})
		fmt.Printf("sse=%q: %s %s\n", sse, d.Effect, d.Sid)
	}
	// Output:
	// sse="": Deny DenyUnencryptedObjectUploads
	// sse="AES256": NotApplicable
}

// A KMS key policy decision joined with the caller's identity policy: the
// default key policy only delegates to IAM for users of the account.
func ExampleCombine() {
	key, _ := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions",
	  "Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`))
	user, _ := policy.ParseIdentity([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`))

	alice := coffer.Principal{AccountID: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice"}
	req := policy.Request{Principal: alice, Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/k1"}

	onlyKey := policy.Combine(key.Evaluate(req))
	both := policy.Combine(key.Evaluate(req), user.Evaluate(req))
	fmt.Println(key.Evaluate(req).Principal, onlyKey.Allowed(), both.Allowed())
	// Output: account false true
}

// How a front end reports a refused document.
func ExampleError() {
	_, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"GetObject","Resource":"*"}]}`))
	var perr *policy.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Reason, perr.Statement)
		fmt.Println(perr.Message)
		fmt.Println(perr.Public())
	}
	// Output:
	// InvalidAction 0
	// Policy has invalid action
	// Policy has invalid action: not "*" nor service:action: "GetObject"
}
