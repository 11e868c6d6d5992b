package kms

// KeyARN names the key a reference (key id, key ARN, alias name or alias
// ARN) points to, without authorizing, auditing or creating anything: it
// is for comparing a request's key reference with policies (S3's
// s3:x-amz-server-side-encryption-aws-kms-key-id compares key ARNs). ok is
// false for a reference that names no key of this KMS.
func (k *KMS) KeyARN(ref string) (arn string, ok bool) {
	parsed, err := k.parseKeyRef(ref, keysOrAliases)
	if err != nil {
		return "", false
	}
	id := parsed.keyID
	if parsed.alias != "" {
		a, found := k.lookupAlias(parsed.alias)
		if !found {
			return "", false
		}
		id = a.TargetKeyID
	}
	kk := k.lookupKey(id)
	if kk == nil {
		return "", false
	}
	return kk.arn, true
}
