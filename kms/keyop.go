package kms

// keyIDViolations starts validating a request on one key: it records the
// KeyId for the audit event and checks it first, where AWS lists it.
func (c *call) keyIDViolations(id string) violations {
	c.param("keyId", id)
	var v violations
	v.requiredLength("keyId", id, 1, 2048)
	return v
}

// operandKey ends validation (v: every member's violations) and returns
// the key the request names, authorized for the operation's own action
// (kms:<op>) and in a state rule admits.
func (c *call) operandKey(v violations, id string, accept refPolicy, rule stateRule) (*key, error) {
	if err := v.err(); err != nil {
		return nil, err
	}
	return c.useKey(id, accept, "kms:"+c.op, rule, nil)
}

// changeKey applies change to the latest record of kk, once rule admits
// the key's latest state: the state checked by operandKey may have changed
// before the write lock was taken.
func (c *call) changeKey(kk *key, rule stateRule, change func(cur *key, rec *keyRecord) error) (*key, error) {
	return c.k.updateKey(c.ctx, kk.rec.ID, func(cur *key, rec *keyRecord) error {
		if err := rule.check(cur); err != nil {
			return err
		}
		return change(cur, rec)
	})
}
