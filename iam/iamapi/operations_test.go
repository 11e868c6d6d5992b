package iamapi

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const (
	allowRead = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::photos/*"}]}`
	allowAll  = `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`
)

// step is one request of a scripted test and what it must answer.
type step struct {
	name   string
	form   url.Values
	status int
	code   string   // error code; "" for success
	want   []string // fragments the body must contain
	absent []string // fragments it must not
}

func runSteps(t *testing.T, s *server, c creds, steps []step) {
	t.Helper()
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := s.iam(t, c, st.form)
			if r.status != st.status || r.errorCode() != st.code {
				t.Fatalf("%d %s, want %d %q:\n%s", r.status, r.errorCode(), st.status, st.code, r.body)
			}
			if r.header.Get("x-amzn-RequestId") == "" || !strings.Contains(r.body, r.header.Get("x-amzn-RequestId")) {
				t.Fatalf("the request id of the header is not in the body:\n%s", r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/xml" {
				t.Fatalf("Content-Type %q", ct)
			}
			for _, w := range st.want {
				if !strings.Contains(r.body, w) {
					t.Fatalf("body lacks %q:\n%s", w, r.body)
				}
			}
			for _, a := range st.absent {
				if strings.Contains(r.body, a) {
					t.Fatalf("body has %q:\n%s", a, r.body)
				}
			}
		})
	}
}

// TestUserOperations drives CreateUser, GetUser, ListUsers and DeleteUser
// as the root user.
func TestUserOperations(t *testing.T) {
	s := startServer(t)
	ns := `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`
	runSteps(t, s, root, []step{
		{"create", form("CreateUser", "UserName", "alice"), 200, "", []string{
			`<CreateUserResponse ` + ns + `><CreateUserResult><User><Path>/</Path><UserName>alice</UserName><UserId>AIDA`,
			`<Arn>arn:aws:iam::111122223333:user/alice</Arn><CreateDate>20`, `</CreateUserResult><ResponseMetadata><RequestId>`}, nil},
		{"create with a path", form("CreateUser", "UserName", "deployer", "Path", "/ci/"), 200, "", []string{
			"<Path>/ci/</Path>", "<Arn>arn:aws:iam::111122223333:user/ci/deployer</Arn>"}, nil},
		{"create again in another case", form("CreateUser", "UserName", "ALICE"), 409, "EntityAlreadyExists", []string{
			`<ErrorResponse ` + ns + `><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code><Message>User with name ALICE already exists.</Message></Error><RequestId>`}, nil},
		{"invalid name", form("CreateUser", "UserName", "a b"), 400, "ValidationError", []string{
			`1 validation error detected: Value &#39;a b&#39; at &#39;userName&#39; failed to satisfy constraint`}, nil},
		{"no name", form("CreateUser"), 400, "ValidationError", []string{"Value null at &#39;userName&#39;"}, nil},
		{"tags are refused", form("CreateUser", "UserName", "bob", "Tags.member.1.Key", "team"), 400, "InvalidParameterValue", []string{
			"CreateUser does not take the parameter Tags.member.1.Key"}, nil},
		{"get", form("GetUser", "UserName", "Alice"), 200, "", []string{"<GetUserResult><User><Path>/</Path><UserName>alice</UserName>"}, nil},
		{"get missing", form("GetUser", "UserName", "nobody"), 404, "NoSuchEntity", []string{"The user with name nobody cannot be found."}, nil},
		{"get root", form("GetUser"), 200, "", []string{
			"<GetUserResult><User><UserId>111122223333</UserId><Arn>arn:aws:iam::111122223333:root</Arn><CreateDate>2026-03-04T05:06:07Z</CreateDate></User></GetUserResult>"},
			[]string{"<UserName>", "<Path>"}},
		{"list", form("ListUsers"), 200, "", []string{
			"<ListUsersResult><Users><member><Path>/</Path><UserName>alice</UserName>", "<UserName>deployer</UserName>", "<IsTruncated>false</IsTruncated></ListUsersResult>"},
			[]string{"<Marker>"}},
		{"list by path", form("ListUsers", "PathPrefix", "/ci/"), 200, "", []string{"<UserName>deployer</UserName>"}, []string{"alice"}},
		{"list an empty path", form("ListUsers", "PathPrefix", "/none/"), 200, "", []string{"<Users></Users>"}, nil},
		{"list with a bad prefix", form("ListUsers", "PathPrefix", "ci"), 400, "ValidationError", []string{"at &#39;pathPrefix&#39;"}, nil},
		{"delete", form("DeleteUser", "UserName", "deployer"), 200, "", []string{
			`<DeleteUserResponse ` + ns + `><ResponseMetadata><RequestId>`}, []string{"Result"}},
		{"delete again", form("DeleteUser", "UserName", "deployer"), 404, "NoSuchEntity", nil, nil},
	})
}

// TestAccessKeyOperations drives the access key operations as root.
func TestAccessKeyOperations(t *testing.T) {
	s := startServer(t)
	mustOK(t, "CreateUser", s.iam(t, root, form("CreateUser", "UserName", "alice")))
	r := mustOK(t, "CreateAccessKey", s.iam(t, root, form("CreateAccessKey", "UserName", "alice")))
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("CreateAccessKey Cache-Control %q", r.header.Get("Cache-Control"))
	}
	created := regexp.MustCompile(`<CreateAccessKeyResult><AccessKey><UserName>alice</UserName><AccessKeyId>(AKIA[A-Z0-9]{16})</AccessKeyId><Status>Active</Status>` +
		`<SecretAccessKey>([A-Za-z0-9+/]{40})</SecretAccessKey><CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</CreateDate></AccessKey></CreateAccessKeyResult>`).FindStringSubmatch(r.body)
	if created == nil {
		t.Fatalf("CreateAccessKey answered\n%s", r.body)
	}
	id, secret := created[1], created[2]
	runSteps(t, s, root, []step{
		{"second key", form("CreateAccessKey", "UserName", "alice"), 200, "", nil, nil},
		{"third key", form("CreateAccessKey", "UserName", "alice"), 409, "LimitExceeded", []string{"Cannot exceed quota for AccessKeysPerUser: 2"}, nil},
		{"key of a missing user", form("CreateAccessKey", "UserName", "bob"), 404, "NoSuchEntity", nil, nil},
		{"root's own keys", form("CreateAccessKey"), 400, "ValidationError", []string{"name a user with UserName"}, nil},
		{"list", form("ListAccessKeys", "UserName", "alice"), 200, "", []string{
			"<ListAccessKeysResult><AccessKeyMetadata><member><UserName>alice</UserName><AccessKeyId>AKIA",
			"<AccessKeyId>" + id + "</AccessKeyId><Status>Active</Status><CreateDate>", "<IsTruncated>false</IsTruncated>"},
			[]string{"SecretAccessKey", secret}},
		{"deactivate", form("UpdateAccessKey", "UserName", "alice", "AccessKeyId", id, "Status", "Inactive"), 200, "", []string{"<UpdateAccessKeyResponse"}, nil},
		{"list shows it inactive", form("ListAccessKeys", "UserName", "alice"), 200, "", []string{"<AccessKeyId>" + id + "</AccessKeyId><Status>Inactive</Status>"}, nil},
		{"bad status", form("UpdateAccessKey", "UserName", "alice", "AccessKeyId", id, "Status", "Off"), 400, "ValidationError", []string{"[Active, Inactive]"}, nil},
		{"unknown key", form("UpdateAccessKey", "UserName", "alice", "AccessKeyId", "AKIAAAAAAAAAAAAAAAAA", "Status", "Active"), 404, "NoSuchEntity",
			[]string{"The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found."}, nil},
		{"delete user with keys", form("DeleteUser", "UserName", "alice"), 409, "DeleteConflict", []string{"must delete access keys first"}, nil},
		{"delete key", form("DeleteAccessKey", "UserName", "alice", "AccessKeyId", id), 200, "", nil, nil},
		{"delete key again", form("DeleteAccessKey", "UserName", "alice", "AccessKeyId", id), 404, "NoSuchEntity", nil, nil},
	})
}

// TestPolicyOperations drives the inline policy operations as root.
func TestPolicyOperations(t *testing.T) {
	s := startServer(t)
	mustOK(t, "CreateUser", s.iam(t, root, form("CreateUser", "UserName", "alice")))
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2000) + `"}}`
	runSteps(t, s, root, []step{
		{"put", form("PutUserPolicy", "UserName", "alice", "PolicyName", "read", "PolicyDocument", allowRead), 200, "", []string{"<PutUserPolicyResponse"}, nil},
		{"put all", form("PutUserPolicy", "UserName", "alice", "PolicyName", "all", "PolicyDocument", allowAll), 200, "", nil, nil},
		{"get is URL-encoded", form("GetUserPolicy", "UserName", "alice", "PolicyName", "all"), 200, "", []string{
			"<GetUserPolicyResult><UserName>alice</UserName><PolicyName>all</PolicyName><PolicyDocument>" + percentEncode(allowAll) + "</PolicyDocument></GetUserPolicyResult>",
			"%7B%22Version%22%3A%20%222012-10-17%22"}, nil},
		{"list", form("ListUserPolicies", "UserName", "alice"), 200, "", []string{
			"<ListUserPoliciesResult><PolicyNames><member>all</member><member>read</member></PolicyNames><IsTruncated>false</IsTruncated></ListUserPoliciesResult>"}, nil},
		{"malformed", form("PutUserPolicy", "UserName", "alice", "PolicyName", "bad", "PolicyDocument", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`),
			400, "MalformedPolicyDocument", []string{"<Message>Policy document should not specify a principal."}, nil},
		{"not JSON", form("PutUserPolicy", "UserName", "alice", "PolicyName", "bad", "PolicyDocument", `{"Statement"`),
			400, "MalformedPolicyDocument", []string{"This policy contains invalid Json"}, nil},
		{"too large together", form("PutUserPolicy", "UserName", "alice", "PolicyName", "big", "PolicyDocument", big),
			409, "LimitExceeded", []string{"Maximum policy size of 2048 bytes exceeded for user alice"}, nil},
		{"no document", form("PutUserPolicy", "UserName", "alice", "PolicyName", "empty"), 400, "ValidationError", []string{"&#39;policyDocument&#39;"}, nil},
		{"get missing", form("GetUserPolicy", "UserName", "alice", "PolicyName", "none"), 404, "NoSuchEntity", []string{"The user policy with name none cannot be found."}, nil},
		{"delete user with policies", form("DeleteUser", "UserName", "alice"), 409, "DeleteConflict", []string{"must delete policies first"}, nil},
		{"delete", form("DeleteUserPolicy", "UserName", "alice", "PolicyName", "read"), 200, "", []string{"<DeleteUserPolicyResponse"}, nil},
		{"delete again", form("DeleteUserPolicy", "UserName", "alice", "PolicyName", "read"), 404, "NoSuchEntity", nil, nil},
		{"list after", form("ListUserPolicies", "UserName", "alice"), 200, "", []string{"<PolicyNames><member>all</member></PolicyNames>"}, nil},
	})
}

// TestPagination pages through users, keys and policies with MaxItems
// and the markers the API returns.
func TestPagination(t *testing.T) {
	s := startServer(t)
	names := []string{"e", "B", "a", "D", "c"}
	for _, n := range names {
		mustOK(t, "CreateUser", s.iam(t, root, form("CreateUser", "UserName", n)))
	}
	for _, n := range names {
		mustOK(t, "PutUserPolicy", s.iam(t, root, form("PutUserPolicy", "UserName", "a", "PolicyName", "p"+n, "PolicyDocument", allowRead)))
	}
	type listed struct {
		Users    []string `xml:"ListUsersResult>Users>member>UserName"`
		Policies []string `xml:"ListUserPoliciesResult>PolicyNames>member"`
	}
	for _, tt := range []struct {
		action string
		pick   func(listed) []string
		want   string
	}{
		{"ListUsers", func(l listed) []string { return l.Users }, "a B c D e"},
		{"ListUserPolicies", func(l listed) []string { return l.Policies }, "pB pD pa pc pe"},
	} {
		t.Run(tt.action, func(t *testing.T) {
			var got []string
			marker := ""
			for pages := 0; ; pages++ {
				v := form(tt.action, "MaxItems", "2", "UserName", "a")
				if tt.action == "ListUsers" {
					v.Del("UserName")
				}
				if marker != "" {
					v.Set("Marker", marker)
				}
				r := mustOK(t, tt.action, s.iam(t, root, v))
				var l listed
				if err := xml.Unmarshal([]byte(r.body), &l); err != nil {
					t.Fatal(err)
				}
				got = append(got, tt.pick(l)...)
				truncated := strings.Contains(r.body, "<IsTruncated>true</IsTruncated>")
				m := regexp.MustCompile(`<Marker>([^<]+)</Marker>`).FindStringSubmatch(r.body)
				if truncated != (m != nil) || pages > 5 {
					t.Fatalf("page %d: truncated %v with marker %v", pages, truncated, m)
				}
				if !truncated {
					break
				}
				marker = m[1]
			}
			if strings.Join(got, " ") != tt.want {
				t.Fatalf("paged through %v, want %s", got, tt.want)
			}
		})
	}
	runSteps(t, s, root, []step{
		{"MaxItems 0", form("ListUsers", "MaxItems", "0"), 400, "ValidationError", []string{"Member must have value greater than or equal to 1"}, nil},
		{"MaxItems 1001", form("ListUsers", "MaxItems", "1001"), 400, "ValidationError", []string{"less than or equal to 1000"}, nil},
		{"MaxItems x", form("ListUsers", "MaxItems", "x"), 400, "ValidationError", []string{"&#39;maxItems&#39;"}, nil},
		{"bad marker", form("ListUsers", "Marker", "!!"), 400, "ValidationError", []string{"Invalid Marker"}, nil},
		{"marker past the end", form("ListUsers", "Marker", "enp6"), 200, "", []string{"<Users></Users>"}, nil},
	})
}

// TestGetCallerIdentity answers for the root user and for a user, whose
// key needs no permission for it.
func TestGetCallerIdentity(t *testing.T) {
	s := startServer(t)
	alice := s.newUser(t, "alice")
	ns := `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`
	for _, tt := range []struct {
		name string
		c    creds
		want string
	}{
		{"root", root, "<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:root</Arn><UserId>111122223333</UserId><Account>111122223333</Account></GetCallerIdentityResult>"},
		{"user", alice, "<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/alice</Arn><UserId>AIDA"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := mustOK(t, "GetCallerIdentity", s.call(t, tt.c, serviceSTS, stsForm("GetCallerIdentity").Encode()))
			if !strings.Contains(r.body, "<GetCallerIdentityResponse "+ns+">") || !strings.Contains(r.body, tt.want) {
				t.Fatalf("GetCallerIdentity answered\n%s", r.body)
			}
		})
	}
	r := s.call(t, alice, serviceSTS, stsForm("AssumeRole").Encode())
	if r.status != http.StatusBadRequest || r.errorCode() != "InvalidAction" || !strings.Contains(r.body, `<ErrorResponse `+ns+`>`) {
		t.Fatalf("AssumeRole: %d %s", r.status, r.body)
	}
}
