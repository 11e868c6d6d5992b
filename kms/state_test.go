package kms

import (
	"testing"
)

// stateOps exercise one operation on key (an id) of fixture f; other is a
// second, Enabled key and blob a ciphertext of key made while it was
// Enabled.
var stateOps = []struct {
	name string
	call func(f *fixture, key, other string, blob []byte) error
	// want is the error code in the Enabled, Disabled and PendingDeletion
	// states (spec §1.4).
	want [3]string
}{
	{"Encrypt", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.Encrypt(f.ctx, &EncryptInput{KeyId: key, Plaintext: []byte("x")})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"GenerateDataKey", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.GenerateDataKey(f.ctx, &GenerateDataKeyInput{KeyId: key, KeySpec: DataKeyAES256})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"GenerateDataKeyWithoutPlaintext", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.GenerateDataKeyWithoutPlaintext(f.ctx, &GenerateDataKeyWithoutPlaintextInput{KeyId: key, NumberOfBytes: i32(64)})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"Decrypt", func(f *fixture, _, _ string, blob []byte) error {
		_, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: blob})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"ReEncrypt from", func(f *fixture, _, other string, blob []byte) error {
		_, err := f.api.ReEncrypt(f.ctx, &ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: other})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"ReEncrypt to", func(f *fixture, key, other string, _ []byte) error {
		blob := f.encrypt(other, []byte("x"), nil)
		_, err := f.api.ReEncrypt(f.ctx, &ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: key})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"DescribeKey", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: key})
		return err
	}, [3]string{}},
	{"ListAliases", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.ListAliases(f.ctx, &ListAliasesInput{KeyId: key})
		return err
	}, [3]string{}},
	{"ListResourceTags", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.ListResourceTags(f.ctx, &ListResourceTagsInput{KeyId: key})
		return err
	}, [3]string{}},
	{"GetKeyPolicy", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.GetKeyPolicy(f.ctx, &GetKeyPolicyInput{KeyId: key})
		return err
	}, [3]string{}},
	{"ListKeyPolicies", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.ListKeyPolicies(f.ctx, &ListKeyPoliciesInput{KeyId: key})
		return err
	}, [3]string{}},
	{"ListKeyRotations", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.ListKeyRotations(f.ctx, &ListKeyRotationsInput{KeyId: key})
		return err
	}, [3]string{}},
	{"DeleteAlias", func(f *fixture, _, _ string, _ []byte) error {
		_, err := f.api.DeleteAlias(f.ctx, &DeleteAliasInput{AliasName: "alias/state"})
		return err
	}, [3]string{}},
	{"EnableKey", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.EnableKey(f.ctx, &EnableKeyInput{KeyId: key})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"DisableKey", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.DisableKey(f.ctx, &DisableKeyInput{KeyId: key})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"ScheduleKeyDeletion", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.ScheduleKeyDeletion(f.ctx, &ScheduleKeyDeletionInput{KeyId: key})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"CancelKeyDeletion", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.CancelKeyDeletion(f.ctx, &CancelKeyDeletionInput{KeyId: key})
		return err
	}, [3]string{CodeInvalidState, CodeInvalidState, ""}},
	{"EnableKeyRotation", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.EnableKeyRotation(f.ctx, &EnableKeyRotationInput{KeyId: key})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"DisableKeyRotation", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.DisableKeyRotation(f.ctx, &DisableKeyRotationInput{KeyId: key})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"RotateKeyOnDemand", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.RotateKeyOnDemand(f.ctx, &RotateKeyOnDemandInput{KeyId: key})
		return err
	}, [3]string{"", CodeDisabled, CodeInvalidState}},
	{"GetKeyRotationStatus", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.GetKeyRotationStatus(f.ctx, &GetKeyRotationStatusInput{KeyId: key})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"CreateAlias", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/new", TargetKeyId: key})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"UpdateAlias", func(f *fixture, key, other string, _ []byte) error {
		_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/moving", TargetKeyId: other})
		f.must(err)
		_, err = f.api.UpdateAlias(f.ctx, &UpdateAliasInput{AliasName: "alias/moving", TargetKeyId: key})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"PutKeyPolicy", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.PutKeyPolicy(f.ctx, &PutKeyPolicyInput{KeyId: key, Policy: f.kms.defaultPolicy()})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"TagResource", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.TagResource(f.ctx, &TagResourceInput{KeyId: key, Tags: []Tag{{TagKey: "team", TagValue: "a"}}})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"UntagResource", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.UntagResource(f.ctx, &UntagResourceInput{KeyId: key, TagKeys: []string{"team"}})
		return err
	}, [3]string{"", "", CodeInvalidState}},
	{"UpdateKeyDescription", func(f *fixture, key, _ string, _ []byte) error {
		_, err := f.api.UpdateKeyDescription(f.ctx, &UpdateKeyDescriptionInput{KeyId: key, Description: str("new")})
		return err
	}, [3]string{"", "", CodeInvalidState}},
}

// TestKeyStatesAgainstOperations runs every operation that names a key in
// every key state Coffer has (spec §1.4).
func TestKeyStatesAgainstOperations(t *testing.T) {
	states := []KeyState{KeyStateEnabled, KeyStateDisabled, KeyStatePendingDeletion}
	for _, op := range stateOps {
		for i, state := range states {
			t.Run(op.name+"/"+string(state), func(t *testing.T) {
				f := newFixture(t)
				key := f.newKey()
				other := f.newKey()
				blob := f.encrypt(key.KeyId, []byte("secret"), nil)
				_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/state", TargetKeyId: key.KeyId})
				f.must(err)
				switch state {
				case KeyStateDisabled:
					_, err = f.api.DisableKey(f.ctx, &DisableKeyInput{KeyId: key.KeyId})
				case KeyStatePendingDeletion:
					_, err = f.api.ScheduleKeyDeletion(f.ctx, &ScheduleKeyDeletionInput{KeyId: key.KeyId, PendingWindowInDays: i32(7)})
				}
				f.must(err)
				err = op.call(f, key.KeyId, other.KeyId, blob)
				wantCode(t, err, op.want[i])
				if want := op.want[i]; want == CodeDisabled || want == CodeInvalidState {
					wantMsg := map[string]string{CodeDisabled: key.Arn + " is disabled.", CodeInvalidState: key.Arn + " is pending deletion."}[want]
					if op.name == "CancelKeyDeletion" {
						wantMsg = key.Arn + " is not pending deletion."
					}
					if message(err) != wantMsg {
						t.Fatalf("message %q, want %q", message(err), wantMsg)
					}
				}
			})
		}
	}
}
