package policy

import (
	"reflect"
	"testing"
	"time"

	"github.com/cofferlabs/coffer"
)

func TestGlobalConditions(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	https := coffer.RequestInfo{SourceIP: "192.0.2.10", UserAgent: "aws-cli/1.45", SecureTransport: true}
	cases := []struct {
		name string
		p    coffer.Principal
		info coffer.RequestInfo
		want map[string][]string
	}{
		{"user over HTTPS", principals["alice"], https, map[string][]string{
			"aws:currenttime": {"2026-01-02T02:04:05Z"}, "aws:epochtime": {"1767319445"}, "aws:securetransport": {"true"},
			"aws:sourceip": {"192.0.2.10"}, "aws:useragent": {"aws-cli/1.45"}, "aws:principaltype": {"User"},
			"aws:principalarn": {"arn:aws:iam::111122223333:user/alice"}, "aws:principalaccount": {"111122223333"},
			"aws:userid": {"AIDAALICE"}, "aws:username": {"alice"},
		}},
		{"root: no aws:username, the account id as aws:userid", principals["root"], coffer.RequestInfo{}, map[string][]string{
			"aws:currenttime": {"2026-01-02T02:04:05Z"}, "aws:epochtime": {"1767319445"}, "aws:securetransport": {"false"},
			"aws:principaltype": {"Account"}, "aws:principalarn": {"arn:aws:iam::111122223333:root"},
			"aws:principalaccount": {"111122223333"}, "aws:userid": {"111122223333"},
		}},
		{"anonymous: no principal ARN or account", principals["anonymous"], https, map[string][]string{
			"aws:currenttime": {"2026-01-02T02:04:05Z"}, "aws:epochtime": {"1767319445"}, "aws:securetransport": {"true"},
			"aws:sourceip": {"192.0.2.10"}, "aws:useragent": {"aws-cli/1.45"}, "aws:principaltype": {"Anonymous"},
			"aws:userid": {"anonymous"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := GlobalConditions(tc.p, tc.info, now); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

// TestGlobalConditionsDriveTLSPolicy joins the helper to the canonical
// DenyNonTLS statement: plain HTTP is denied, HTTPS is not.
func TestGlobalConditionsDriveTLSPolicy(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyNonTLS","Effect":"Deny","Principal":"*","Action":"s3:*",
		"Resource":["arn:aws:s3:::B","arn:aws:s3:::B/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, ResourcePolicy)
	for _, secure := range []bool{false, true} {
		ctx := GlobalConditions(principals["alice"], coffer.RequestInfo{SecureTransport: secure}, time.Now())
		d := p.Evaluate(Request{Principal: principals["alice"], Action: "s3:GetObject", Resource: "arn:aws:s3:::B/k", Conditions: ctx})
		if (d.Effect == Deny) == secure {
			t.Fatalf("secure=%v: %s", secure, d.Effect)
		}
	}
}

// TestMixedCaseContextKeys: keys differing only in case are one key whose
// values are all kept, and the caller's map is left alone.
func TestMixedCaseContextKeys(t *testing.T) {
	conditions := map[string][]string{"aws:tagkeys": {"a"}, "AWS:TagKeys": {"b"}}
	ctx := newContextKeys(conditions)
	got := ctx.values("aws:tagkeys")
	if again := ctx.values("aws:tagkeys"); len(again) != len(got) {
		t.Fatalf("second lookup %v, first %v", again, got)
	}
	if len(got) != 2 || !(got[0] == "a" && got[1] == "b" || got[0] == "b" && got[1] == "a") {
		t.Fatalf("values = %v", got)
	}
	if len(conditions) != 2 || len(conditions["aws:tagkeys"]) != 1 || len(conditions["AWS:TagKeys"]) != 1 {
		t.Fatalf("caller's map changed: %v", conditions)
	}
}
