package kms

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cofferlabs/coffer"
)

func errNoPrincipal(op string) error {
	return kmsError(CodeAccessDenied, "User: anonymous is not authorized to perform: kms:%s because no identity-based policy allows the kms:%s action", op, op)
}

// authorize evaluates the key policy of kk, with the caller's identity
// policies, for action ("kms:Decrypt") with the request's condition keys;
// ec adds the encryption context ones.
func (c *call) authorize(kk *key, action string, ec map[string]string) error {
	c.resource(kk.arn)
	d, err := c.k.opts.Policy.Allowed([]byte(kk.rec.Policy), c.principal, action, kk.arn, c.conditions(ec))
	if err != nil {
		return fmt.Errorf("kms: evaluating the key policy of %s: %w", kk.arn, err)
	}
	missing := "resource-based"
	if d.Delegated {
		missing = "identity-based" // the key policy left it to them
	}
	return c.denial(d, action, kk.arn, missing)
}

// authorizeAccount admits an operation that names no key (CreateKey,
// ListKeys, ListAliases, GenerateRandom). As in AWS, identity (IAM)
// policies govern those: the account's root user may call them, its users
// when an identity policy allows it, other accounts never.
func (c *call) authorizeAccount(action string) error {
	p := c.principal
	if p.AccountID != c.k.opts.AccountID {
		return c.denial(coffer.AccessDecision{}, action, "*", "identity-based")
	}
	if p.IsRoot() && p.ARN == "arn:aws:iam::"+c.k.opts.AccountID+":root" {
		return nil
	}
	d, err := c.k.opts.Policy.Allowed(nil, p, action, "*", c.conditions(nil))
	if err != nil {
		return fmt.Errorf("kms: evaluating the identity policies of %s: %w", p.ARN, err)
	}
	return c.denial(d, action, "*", "identity-based")
}

// denial turns a decision into nil or AccessDeniedException in AWS's
// words. For an implicit deny, missing names the kind of policy that
// would have had to allow the action.
func (c *call) denial(d coffer.AccessDecision, action, resource, missing string) error {
	if d.Allowed {
		return nil
	}
	if d.DenySid != "" {
		c.detail("denySid", d.DenySid)
		kind := "a resource-based"
		if d.DeniedBy == "identity" {
			kind = "an identity-based"
		}
		c.detail("deniedBy", d.DeniedBy)
		return kmsError(CodeAccessDenied, "User: %s is not authorized to perform: %s on resource: %s with an explicit deny in %s policy", c.principal.ARN, action, resource, kind)
	}
	return kmsError(CodeAccessDenied, "User: %s is not authorized to perform: %s on resource: %s because no %s policy allows the %s action", c.principal.ARN, action, resource, missing, action)
}

// conditions are the condition keys of the request.
func (c *call) conditions(ec map[string]string) map[string][]string {
	p, info, now := c.principal, c.info, c.k.opts.now().UTC()
	m := map[string][]string{
		"kms:CallerAccount":    {p.AccountID},
		"aws:PrincipalAccount": {p.AccountID},
		"aws:PrincipalArn":     {p.ARN},
		"aws:PrincipalType":    {principalType(p)},
		"aws:userid":           {p.UserID},
		"aws:SecureTransport":  {strconv.FormatBool(info.SecureTransport)},
		"aws:CurrentTime":      {now.Format(time.RFC3339)},
		"aws:EpochTime":        {strconv.FormatInt(now.Unix(), 10)},
	}
	if p.UserName != "" {
		m["aws:username"] = []string{p.UserName}
	}
	if info.SourceIP != "" {
		m["aws:SourceIp"] = []string{info.SourceIP}
	}
	if info.UserAgent != "" {
		m["aws:UserAgent"] = []string{info.UserAgent}
	}
	if via := c.k.viaService(info.ViaService); via != "" {
		m["kms:ViaService"] = []string{via}
	}
	if len(ec) > 0 {
		keys := make([]string, 0, len(ec))
		for k, v := range ec {
			m["kms:EncryptionContext:"+k] = []string{v}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		m["kms:EncryptionContextKeys"] = keys
	}
	return m
}

func principalType(p coffer.Principal) string {
	if p.IsRoot() {
		return "Account"
	}
	return "User"
}

// viaService turns RequestInfo.ViaService ("s3.amazonaws.com") into the
// value of kms:ViaService, which AWS scopes to the Region
// ("s3.us-east-1.amazonaws.com"); a value naming a Region is kept.
func (k *KMS) viaService(v string) string {
	service, ok := strings.CutSuffix(v, ".amazonaws.com")
	if ok && service != "" && !strings.Contains(service, ".") {
		return service + "." + k.opts.Region + ".amazonaws.com"
	}
	return v
}
