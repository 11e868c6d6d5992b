package kms

import "fmt"

// s3ManagedDescription is the description AWS gives the aws/s3 key.
const s3ManagedDescription = "Default key that protects my S3 objects when no other key is defined"

// s3ManagedPolicy is the key policy of alias/aws/s3, as AWS writes it for
// its managed S3 key: principals of the account may use the key through
// S3 only (kms:ViaService), and the account may read its metadata; nobody
// may manage it (disable, delete, change policy or aliases, tag).
func (k *KMS) s3ManagedPolicy() string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Id":"auto-s3-2","Statement":[`+
		`{"Sid":"Allow access through S3 for all principals in the account that are authorized to use S3","Effect":"Allow","Principal":{"AWS":"*"},`+
		`"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*",`+
		`"Condition":{"StringEquals":{"kms:CallerAccount":"%[1]s","kms:ViaService":"s3.%[2]s.amazonaws.com"}}},`+
		`{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%[1]s:root"},`+
		`"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`, k.opts.AccountID, k.opts.Region)
}

// ensureManagedKey returns the key of alias/aws/s3, creating the AWS
// managed key (rotated yearly, as AWS does) and its alias on first use.
func (k *KMS) ensureManagedKey(c *call) (*key, error) {
	k.writeMu.Lock()
	defer k.writeMu.Unlock()
	if a, ok := k.lookupAlias(s3ManagedAlias); ok {
		if kk := k.lookupKey(a.TargetKeyID); kk != nil {
			return kk, nil
		}
		return nil, errAliasNotFound(k.aliasARN(s3ManagedAlias))
	}
	id, err := k.newKeyID()
	if err != nil {
		return nil, err
	}
	now := k.opts.now().UTC()
	kk, err := k.createKeyLocked(c.ctx, keyRecord{
		ID:          id,
		Description: s3ManagedDescription,
		Manager:     KeyManagerAWS,
		Policy:      k.s3ManagedPolicy(),
		Rotation:    rotationRecord{Enabled: true, PeriodInDays: defaultRotationPeriod, Anchor: now},
	})
	if err != nil {
		return nil, err
	}
	alias := aliasRecord{Name: s3ManagedAlias, TargetKeyID: id, Created: now, Updated: now}
	if err := k.saveAlias(c.ctx, alias, createRecord); err != nil {
		// Without its alias the key could never be found again.
		_ = k.removeKey(c.ctx, id)
		return nil, err
	}
	return kk, nil
}
