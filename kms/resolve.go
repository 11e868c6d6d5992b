package kms

// orEmpty lets every operation accept a nil input as the empty one.
func orEmpty[T any](in *T) *T {
	if in == nil {
		return new(T)
	}
	return in
}

// resolve finds the key a KeyId parameter names. alias/aws/s3 is created
// on first use.
func (c *call) resolve(id string, accept refPolicy) (*key, error) {
	ref, err := c.k.parseKeyRef(id, accept)
	if err != nil {
		return nil, err
	}
	if ref.alias != "" {
		return c.k.resolveAlias(c, ref.alias)
	}
	kk := c.k.lookupKey(ref.keyID)
	if kk == nil {
		return nil, errKeyNotFound(c.k.keyARN(ref.keyID))
	}
	return kk, nil
}

func (k *KMS) resolveAlias(c *call, name string) (*key, error) {
	if a, ok := k.lookupAlias(name); ok {
		if kk := k.lookupKey(a.TargetKeyID); kk != nil {
			return kk, nil
		}
	} else if name == s3ManagedAlias {
		return k.ensureManagedKey(c)
	}
	return nil, errAliasNotFound(k.aliasARN(name))
}

// useKey is the prelude of most operations on one key: resolve the KeyId,
// authorize action under the key policy, and check the key state.
func (c *call) useKey(id string, accept refPolicy, action string, rule stateRule, ec map[string]string) (*key, error) {
	kk, err := c.resolve(id, accept)
	if err != nil {
		return nil, err
	}
	if err := c.authorize(kk, action, ec); err != nil {
		return nil, err
	}
	if err := rule.check(kk); err != nil {
		return nil, err
	}
	return kk, nil
}
