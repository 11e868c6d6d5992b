package iamapi

import (
	"encoding/xml"
	"strings"
	"time"

	"github.com/cofferlabs/coffer/iam"
)

// operation is one Action: the service whose signature it takes, whether
// it changes the directory (audited, CloudTrail's readOnly false), the
// parameters it takes besides Action and Version, and its code.
type operation struct {
	name     string
	service  string
	mutating bool
	params   []string
	run      func(c *call) (any, error)
}

var paging = []string{"Marker", "MaxItems"}

// operations is the route table.
var operations = map[string]*operation{}

func init() {
	for _, op := range []*operation{
		{name: "CreateUser", service: serviceIAM, mutating: true, params: []string{"UserName", "Path"}, run: createUser},
		{name: "GetUser", service: serviceIAM, params: []string{"UserName"}, run: getUser},
		{name: "ListUsers", service: serviceIAM, params: append([]string{"PathPrefix"}, paging...), run: listUsers},
		{name: "DeleteUser", service: serviceIAM, mutating: true, params: []string{"UserName"}, run: deleteUser},
		{name: "CreateAccessKey", service: serviceIAM, mutating: true, params: []string{"UserName"}, run: createAccessKey},
		{name: "ListAccessKeys", service: serviceIAM, params: append([]string{"UserName"}, paging...), run: listAccessKeys},
		{name: "UpdateAccessKey", service: serviceIAM, mutating: true, params: []string{"UserName", "AccessKeyId", "Status"}, run: updateAccessKey},
		{name: "DeleteAccessKey", service: serviceIAM, mutating: true, params: []string{"UserName", "AccessKeyId"}, run: deleteAccessKey},
		{name: "PutUserPolicy", service: serviceIAM, mutating: true, params: []string{"UserName", "PolicyName", "PolicyDocument"}, run: putUserPolicy},
		{name: "GetUserPolicy", service: serviceIAM, params: []string{"UserName", "PolicyName"}, run: getUserPolicy},
		{name: "ListUserPolicies", service: serviceIAM, params: append([]string{"UserName"}, paging...), run: listUserPolicies},
		{name: "DeleteUserPolicy", service: serviceIAM, mutating: true, params: []string{"UserName", "PolicyName"}, run: deleteUserPolicy},
		{name: "GetCallerIdentity", service: serviceSTS, run: getCallerIdentity},
	} {
		operations[op.name] = op
	}
}

// timeLayout is how IAM writes dates (ISO 8601, UTC, to the second).
const timeLayout = "2006-01-02T15:04:05Z"

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

type userXML struct {
	Path       string `xml:"Path,omitempty"`
	UserName   string `xml:"UserName,omitempty"`
	UserID     string `xml:"UserId"`
	ARN        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate,omitempty"`
}

func toUserXML(u iam.User) userXML {
	return userXML{Path: u.Path, UserName: u.Name, UserID: u.ID, ARN: u.ARN, CreateDate: isoTime(u.Created)}
}

type createUserResult struct {
	XMLName xml.Name `xml:"CreateUserResult"`
	User    userXML  `xml:"User"`
}

func createUser(c *call) (any, error) {
	name, path := c.params.get("UserName"), c.params.get("Path")
	c.arg("userName", name)
	c.arg("path", path)
	arnPath := path
	if arnPath == "" {
		arnPath = "/"
	}
	if err := c.authorize("iam:CreateUser", iam.UserARN(c.h.accountID, arnPath, name)); err != nil {
		return nil, err
	}
	u, err := c.h.dir.CreateUser(c.ctx, name, path)
	if err != nil {
		return nil, err
	}
	return createUserResult{User: toUserXML(u)}, nil
}

type getUserResult struct {
	XMLName xml.Name `xml:"GetUserResult"`
	User    userXML  `xml:"User"`
}

func getUser(c *call) (any, error) {
	name := c.params.get("UserName")
	if name == "" && c.principal.IsRoot() {
		// The root user describes itself, as on AWS: no name, no path.
		if err := c.authorize("iam:GetUser", c.principal.ARN); err != nil {
			return nil, err
		}
		return getUserResult{User: userXML{UserID: c.h.accountID, ARN: c.h.rootARN, CreateDate: isoTime(c.h.rootTime)}}, nil
	}
	name, err := c.targetUser()
	if err != nil {
		return nil, err
	}
	c.arg("userName", name)
	if err := c.authorize("iam:GetUser", c.userARN(name)); err != nil {
		return nil, err
	}
	u, err := c.h.dir.GetUser(name)
	if err != nil {
		return nil, err
	}
	return getUserResult{User: toUserXML(u)}, nil
}

type usersXML struct {
	Members []userXML `xml:"member"`
}

type listUsersResult struct {
	XMLName     xml.Name `xml:"ListUsersResult"`
	Users       usersXML `xml:"Users"`
	IsTruncated bool     `xml:"IsTruncated"`
	Marker      string   `xml:"Marker,omitempty"`
}

func listUsers(c *call) (any, error) {
	prefix := c.params.get("PathPrefix")
	c.arg("pathPrefix", prefix)
	maxItems, from, perr := c.params.pageParams()
	if perr != nil {
		return nil, perr
	}
	if err := c.authorize("iam:ListUsers", "*"); err != nil {
		return nil, err
	}
	users, err := c.h.dir.ListUsers(prefix)
	if err != nil {
		return nil, err
	}
	users, next := page(users, func(u iam.User) string { return strings.ToLower(u.Name) }, from, maxItems)
	out := listUsersResult{IsTruncated: next != "", Marker: next}
	out.Users.Members = make([]userXML, 0, len(users))
	for _, u := range users {
		out.Users.Members = append(out.Users.Members, toUserXML(u))
	}
	return out, nil
}

func deleteUser(c *call) (any, error) {
	name := c.params.get("UserName")
	c.arg("userName", name)
	if err := c.authorize("iam:DeleteUser", c.userARN(name)); err != nil {
		return nil, err
	}
	return nil, c.h.dir.DeleteUser(c.ctx, name)
}

type accessKeyXML struct {
	UserName        string `xml:"UserName"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate,omitempty"`
}

type createAccessKeyResult struct {
	XMLName   xml.Name     `xml:"CreateAccessKeyResult"`
	AccessKey accessKeyXML `xml:"AccessKey"`
}

func createAccessKey(c *call) (any, error) {
	name, err := c.targetUser()
	if err != nil {
		return nil, err
	}
	c.arg("userName", name)
	if err := c.authorize("iam:CreateAccessKey", c.userARN(name)); err != nil {
		return nil, err
	}
	k, err := c.h.dir.CreateAccessKey(c.ctx, name)
	if err != nil {
		return nil, err
	}
	c.detail("accessKeyId", k.ID)
	// The one response that carries a secret: no cache may keep it.
	c.w.Header().Set("Cache-Control", "no-store")
	return createAccessKeyResult{AccessKey: accessKeyXML{
		UserName: k.UserName, AccessKeyID: k.ID, Status: string(k.Status), SecretAccessKey: k.Secret, CreateDate: isoTime(k.Created),
	}}, nil
}

type accessKeysXML struct {
	Members []accessKeyXML `xml:"member"`
}

type listAccessKeysResult struct {
	XMLName           xml.Name      `xml:"ListAccessKeysResult"`
	AccessKeyMetadata accessKeysXML `xml:"AccessKeyMetadata"`
	IsTruncated       bool          `xml:"IsTruncated"`
	Marker            string        `xml:"Marker,omitempty"`
}

func listAccessKeys(c *call) (any, error) {
	name, err := c.targetUser()
	if err != nil {
		return nil, err
	}
	c.arg("userName", name)
	maxItems, from, perr := c.params.pageParams()
	if perr != nil {
		return nil, perr
	}
	if err := c.authorize("iam:ListAccessKeys", c.userARN(name)); err != nil {
		return nil, err
	}
	keys, err := c.h.dir.ListAccessKeys(name)
	if err != nil {
		return nil, err
	}
	keys, next := page(keys, func(k iam.AccessKey) string { return k.ID }, from, maxItems)
	out := listAccessKeysResult{IsTruncated: next != "", Marker: next}
	out.AccessKeyMetadata.Members = make([]accessKeyXML, 0, len(keys))
	for _, k := range keys {
		out.AccessKeyMetadata.Members = append(out.AccessKeyMetadata.Members,
			accessKeyXML{UserName: k.UserName, AccessKeyID: k.ID, Status: string(k.Status), CreateDate: isoTime(k.Created)})
	}
	return out, nil
}

func updateAccessKey(c *call) (any, error) {
	name, err := c.targetUser()
	if err != nil {
		return nil, err
	}
	keyID, status := c.params.get("AccessKeyId"), c.params.get("Status")
	c.arg("userName", name)
	c.arg("accessKeyId", keyID)
	c.arg("status", status)
	if err := c.authorize("iam:UpdateAccessKey", c.userARN(name)); err != nil {
		return nil, err
	}
	return nil, c.h.dir.UpdateAccessKey(c.ctx, name, keyID, iam.Status(status))
}

func deleteAccessKey(c *call) (any, error) {
	name, err := c.targetUser()
	if err != nil {
		return nil, err
	}
	keyID := c.params.get("AccessKeyId")
	c.arg("userName", name)
	c.arg("accessKeyId", keyID)
	if err := c.authorize("iam:DeleteAccessKey", c.userARN(name)); err != nil {
		return nil, err
	}
	return nil, c.h.dir.DeleteAccessKey(c.ctx, name, keyID)
}

func putUserPolicy(c *call) (any, error) {
	name, policyName, doc := c.params.get("UserName"), c.params.get("PolicyName"), c.params.get("PolicyDocument")
	c.arg("userName", name)
	c.arg("policyName", policyName)
	c.arg("policyDocument", doc)
	if err := c.authorize("iam:PutUserPolicy", c.userARN(name)); err != nil {
		return nil, err
	}
	return nil, c.h.dir.PutUserPolicy(c.ctx, name, policyName, doc)
}

type getUserPolicyResult struct {
	XMLName        xml.Name `xml:"GetUserPolicyResult"`
	UserName       string   `xml:"UserName"`
	PolicyName     string   `xml:"PolicyName"`
	PolicyDocument string   `xml:"PolicyDocument"`
}

func getUserPolicy(c *call) (any, error) {
	name, policyName := c.params.get("UserName"), c.params.get("PolicyName")
	c.arg("userName", name)
	c.arg("policyName", policyName)
	if err := c.authorize("iam:GetUserPolicy", c.userARN(name)); err != nil {
		return nil, err
	}
	doc, err := c.h.dir.GetUserPolicy(name, policyName)
	if err != nil {
		return nil, err
	}
	u, err := c.h.dir.GetUser(name)
	if err != nil {
		return nil, err
	}
	// IAM returns policy documents URL-encoded (RFC 3986).
	return getUserPolicyResult{UserName: u.Name, PolicyName: policyName, PolicyDocument: percentEncode(doc)}, nil
}

type policyNamesXML struct {
	Members []string `xml:"member"`
}

type listUserPoliciesResult struct {
	XMLName     xml.Name       `xml:"ListUserPoliciesResult"`
	PolicyNames policyNamesXML `xml:"PolicyNames"`
	IsTruncated bool           `xml:"IsTruncated"`
	Marker      string         `xml:"Marker,omitempty"`
}

func listUserPolicies(c *call) (any, error) {
	name := c.params.get("UserName")
	c.arg("userName", name)
	maxItems, from, perr := c.params.pageParams()
	if perr != nil {
		return nil, perr
	}
	if err := c.authorize("iam:ListUserPolicies", c.userARN(name)); err != nil {
		return nil, err
	}
	names, err := c.h.dir.ListUserPolicies(name)
	if err != nil {
		return nil, err
	}
	names, next := page(names, func(s string) string { return s }, from, maxItems)
	out := listUserPoliciesResult{IsTruncated: next != "", Marker: next}
	out.PolicyNames.Members = append([]string{}, names...)
	return out, nil
}

func deleteUserPolicy(c *call) (any, error) {
	name, policyName := c.params.get("UserName"), c.params.get("PolicyName")
	c.arg("userName", name)
	c.arg("policyName", policyName)
	if err := c.authorize("iam:DeleteUserPolicy", c.userARN(name)); err != nil {
		return nil, err
	}
	return nil, c.h.dir.DeleteUserPolicy(c.ctx, name, policyName)
}

type getCallerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	ARN     string   `xml:"Arn"`
	UserID  string   `xml:"UserId"`
	Account string   `xml:"Account"`
}

// getCallerIdentity needs no permission: any authenticated caller may
// learn who it is, as on AWS.
func getCallerIdentity(c *call) (any, error) {
	p := c.principal
	account := p.AccountID
	if account == "" {
		account = c.h.accountID
	}
	return getCallerIdentityResult{ARN: p.ARN, UserID: p.UserID, Account: account}, nil
}

// percentEncode escapes everything but RFC 3986's unreserved characters,
// as IAM encodes policy documents: botocore's unquote and Go's
// url.QueryUnescape both decode it exactly.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
