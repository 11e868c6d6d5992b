package kms

// KeyState is the state of a KMS key. Coffer's keys are Enabled, Disabled
// or PendingDeletion (PendingImport needs imported key material, which is
// not supported).
type KeyState string

const (
	KeyStateEnabled         KeyState = "Enabled"
	KeyStateDisabled        KeyState = "Disabled"
	KeyStatePendingDeletion KeyState = "PendingDeletion"
)

// stateRule is what an operation requires of its key's state (the spec's
// key state table).
type stateRule int

const (
	// anyState: DescribeKey, ListAliases, ListResourceTags, GetKeyPolicy,
	// ListKeyPolicies, ListKeyRotations, DeleteAlias.
	anyState stateRule = iota + 1
	// enabledOnly: the cryptographic operations, Enable/DisableKeyRotation
	// and RotateKeyOnDemand; Disabled gives DisabledException.
	enabledOnly
	// notPending: EnableKey, DisableKey, ScheduleKeyDeletion,
	// GetKeyRotationStatus, CreateAlias/UpdateAlias targets, PutKeyPolicy,
	// TagResource, UntagResource, UpdateKeyDescription.
	notPending
	// pendingOnly: CancelKeyDeletion.
	pendingOnly
)

// check returns the error an operation with rule r gets on key.
func (r stateRule) check(key *key) error {
	state := key.rec.State
	switch r {
	case enabledOnly:
		switch state {
		case KeyStateDisabled:
			return errDisabled(key.arn)
		case KeyStatePendingDeletion:
			return errPendingDeletion(key.arn)
		}
	case notPending:
		if state == KeyStatePendingDeletion {
			return errPendingDeletion(key.arn)
		}
	case pendingOnly:
		if state != KeyStatePendingDeletion {
			return errNotPendingDeletion(key.arn)
		}
	}
	return nil
}
