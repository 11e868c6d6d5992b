package kms

import (
	"fmt"
	"testing"
	"time"
)

func TestScheduleKeyDeletionWindow(t *testing.T) {
	cases := []struct {
		days *int32
		want int32
		code string
		msg  string
	}{
		{days: nil, want: 30},
		{days: i32(7), want: 7},
		{days: i32(30), want: 30},
		{days: i32(6), code: CodeValidation, msg: "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7"},
		{days: i32(31), code: CodeValidation, msg: "1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30"},
		{days: i32(366), code: CodeValidation, msg: "1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365"},
		{days: i32(0), code: CodeValidation},
	}
	for _, tc := range cases {
		name := "default"
		if tc.days != nil {
			name = fmt.Sprint(*tc.days)
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			key := f.newKey()
			out, err := f.api.ScheduleKeyDeletion(f.ctx, &ScheduleKeyDeletionInput{KeyId: key.KeyId, PendingWindowInDays: tc.days})
			wantCode(t, err, tc.code)
			if tc.msg != "" && message(err) != tc.msg {
				t.Fatalf("message %q, want %q", message(err), tc.msg)
			}
			if err != nil {
				return
			}
			want := ScheduleKeyDeletionOutput{KeyId: key.Arn, DeletionDate: testEpoch.Add(time.Duration(tc.want) * day), KeyState: KeyStatePendingDeletion, PendingWindowInDays: tc.want}
			if *out != want {
				t.Fatalf("ScheduleKeyDeletion = %+v, want %+v", *out, want)
			}
			d, _ := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: key.KeyId})
			if md := d.KeyMetadata; md.Enabled || md.KeyState != KeyStatePendingDeletion || !md.DeletionDate.Equal(want.DeletionDate) || md.PendingDeletionWindowInDays != tc.want {
				t.Fatalf("metadata while pending = %+v", md)
			}
		})
	}
}

func TestCancelKeyDeletionLeavesKeyDisabled(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	_, err := f.api.ScheduleKeyDeletion(f.ctx, &ScheduleKeyDeletionInput{KeyId: key.KeyId, PendingWindowInDays: i32(7)})
	f.must(err)
	out, err := f.api.CancelKeyDeletion(f.ctx, &CancelKeyDeletionInput{KeyId: key.KeyId})
	f.must(err)
	if out.KeyId != key.Arn {
		t.Fatalf("CancelKeyDeletion answered %s", out.KeyId)
	}
	d, _ := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: key.KeyId})
	if md := d.KeyMetadata; md.KeyState != KeyStateDisabled || !md.DeletionDate.IsZero() || md.PendingDeletionWindowInDays != 0 {
		t.Fatalf("after cancel: %+v", md)
	}
	f.clock.Advance(8 * day)
	if n, err := f.kms.DeleteExpiredKeys(f.ctx); n != 0 || err != nil {
		t.Fatalf("DeleteExpiredKeys deleted %d cancelled keys (%v)", n, err)
	}
}

// TestCryptoShredding: once the window has passed, the sweep destroys the
// key material, so ciphertexts under the key never decrypt again; before
// that the key is refused but recoverable.
func TestCryptoShredding(t *testing.T) {
	f := newFixture(t)
	key, keep := f.newKey(), f.newKey()
	_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/doomed", TargetKeyId: key.KeyId})
	f.must(err)
	_, err = f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/kept", TargetKeyId: keep.KeyId})
	f.must(err)
	blob := f.encrypt(key.KeyId, []byte("shred me"), nil)
	_, err = f.api.ScheduleKeyDeletion(f.ctx, &ScheduleKeyDeletionInput{KeyId: key.KeyId, PendingWindowInDays: i32(7)})
	f.must(err)

	f.clock.Advance(7*day - 1)
	if n, err := f.kms.DeleteExpiredKeys(f.ctx); n != 0 || err != nil {
		t.Fatalf("deleted %d keys before the window ended (%v)", n, err)
	}
	_, err = f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: blob})
	wantCode(t, err, CodeInvalidState)

	f.clock.Advance(1)
	if n, err := f.kms.DeleteExpiredKeys(f.ctx); n != 1 || err != nil {
		t.Fatalf("DeleteExpiredKeys = %d, %v; want 1 key", n, err)
	}
	_, err = f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: blob})
	wantCode(t, err, CodeAccessDenied)
	_, err = f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: key.KeyId})
	wantCode(t, err, CodeNotFound)
	_, err = f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: "alias/doomed"})
	wantCode(t, err, CodeNotFound)
	_, err = f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: "alias/kept"})
	f.must(err)

	names, err := f.store.ListKeys(f.ctx, "kms/")
	f.must(err)
	want := []string{"kms/alias/kept", "kms/key/" + keep.KeyId}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Fatalf("key store holds %v, want %v", names, want)
	}
	// A KMS opened afresh on the same store does not know the key either.
	again := f.open()
	_, err = again.API().Decrypt(f.ctx, &DecryptInput{CiphertextBlob: blob})
	wantCode(t, err, CodeAccessDenied)
	if got := f.audit.named("DeleteKey"); len(got) != 1 || got[0].Resources[0].ARN != key.Arn {
		t.Fatalf("DeleteKey audit events = %+v", got)
	}
}
