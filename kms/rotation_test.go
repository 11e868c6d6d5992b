package kms

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

const day = 24 * time.Hour

func TestAutomaticRotation(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	old := f.encrypt(key.KeyId, []byte("before rotation"), map[string]string{"v": "1"})

	status, err := f.api.GetKeyRotationStatus(f.ctx, &GetKeyRotationStatusInput{KeyId: key.KeyId})
	f.must(err)
	if status.KeyRotationEnabled || status.KeyId != key.Arn || status.RotationPeriodInDays != 0 || !status.NextRotationDate.IsZero() {
		t.Fatalf("status of a new key = %+v", status)
	}
	_, err = f.api.EnableKeyRotation(f.ctx, &EnableKeyRotationInput{KeyId: key.KeyId, RotationPeriodInDays: i32(90)})
	f.must(err)
	status, err = f.api.GetKeyRotationStatus(f.ctx, &GetKeyRotationStatusInput{KeyId: key.Arn})
	f.must(err)
	if !status.KeyRotationEnabled || status.RotationPeriodInDays != 90 || !status.NextRotationDate.Equal(testEpoch.Add(90*day)) {
		t.Fatalf("status after EnableKeyRotation = %+v", status)
	}

	f.clock.Advance(89 * day)
	if n, err := f.kms.RotateDueKeys(f.ctx); err != nil || n != 0 {
		t.Fatalf("RotateDueKeys before the period = %d, %v", n, err)
	}
	f.clock.Advance(day)
	if n, err := f.kms.RotateDueKeys(f.ctx); err != nil || n != 1 {
		t.Fatalf("RotateDueKeys at the period = %d, %v", n, err)
	}
	if n, _ := f.kms.RotateDueKeys(f.ctx); n != 0 {
		t.Fatalf("a second sweep rotated %d keys again", n)
	}
	d, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: key.KeyId})
	f.must(err)
	if d.KeyMetadata.CurrentKeyMaterialId == key.CurrentKeyMaterialId {
		t.Fatal("rotation did not change the current key material")
	}
	status, _ = f.api.GetKeyRotationStatus(f.ctx, &GetKeyRotationStatusInput{KeyId: key.KeyId})
	if !status.NextRotationDate.Equal(testEpoch.Add(180 * day)) {
		t.Fatalf("next rotation %v, want a period after the rotation", status.NextRotationDate)
	}

	// Old ciphertexts decrypt under their material; new ones use the new one.
	dec, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: old, EncryptionContext: map[string]string{"v": "1"}})
	f.must(err)
	if string(dec.Plaintext) != "before rotation" || dec.KeyMaterialId != key.CurrentKeyMaterialId {
		t.Fatalf("old blob: %q under material %s", dec.Plaintext, dec.KeyMaterialId)
	}
	fresh := f.encrypt(key.KeyId, []byte("after"), nil)
	dec, err = f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: fresh})
	f.must(err)
	if dec.KeyMaterialId != d.KeyMetadata.CurrentKeyMaterialId {
		t.Fatalf("new blob under material %s, want the current %s", dec.KeyMaterialId, d.KeyMetadata.CurrentKeyMaterialId)
	}
	if got := f.audit.named("RotateKey"); len(got) != 1 || got[0].Resources[0].ARN != key.Arn || got[0].Details["invokedBy"] != "kms.amazonaws.com" {
		t.Fatalf("RotateKey audit events = %+v", got)
	}
}

func TestRotationSkipsDisabledKeysUntilEnabled(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	_, err := f.api.EnableKeyRotation(f.ctx, &EnableKeyRotationInput{KeyId: key.KeyId})
	f.must(err)
	_, err = f.api.DisableKey(f.ctx, &DisableKeyInput{KeyId: key.KeyId})
	f.must(err)
	f.clock.Advance(400 * day)
	if n, _ := f.kms.RotateDueKeys(f.ctx); n != 0 {
		t.Fatalf("rotated a disabled key")
	}
	_, err = f.api.EnableKey(f.ctx, &EnableKeyInput{KeyId: key.KeyId})
	f.must(err)
	if n, _ := f.kms.RotateDueKeys(f.ctx); n != 1 {
		t.Fatalf("did not rotate the re-enabled, overdue key")
	}
}

func TestRotationPeriodBounds(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	cases := []struct {
		period *int32
		code   string
		msg    string
	}{
		{nil, "", ""},
		{i32(90), "", ""},
		{i32(2560), "", ""},
		{i32(89), CodeValidation, "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90"},
		{i32(2561), CodeValidation, "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560"},
	}
	for _, tc := range cases {
		name := "default"
		if tc.period != nil {
			name = fmt.Sprint(*tc.period)
		}
		t.Run(name, func(t *testing.T) {
			_, err := f.api.EnableKeyRotation(f.ctx, &EnableKeyRotationInput{KeyId: key.KeyId, RotationPeriodInDays: tc.period})
			wantCode(t, err, tc.code)
			if message(err) != tc.msg {
				t.Fatalf("message %q, want %q", message(err), tc.msg)
			}
		})
	}
	status, _ := f.api.GetKeyRotationStatus(f.ctx, &GetKeyRotationStatusInput{KeyId: key.KeyId})
	// The period changed twice; the schedule still starts when rotation
	// was first enabled.
	if status.RotationPeriodInDays != 2560 || !status.NextRotationDate.Equal(testEpoch.Add(2560*day)) {
		t.Fatalf("status = %+v", status)
	}
	_, err := f.api.DisableKeyRotation(f.ctx, &DisableKeyRotationInput{KeyId: key.KeyId})
	f.must(err)
	status, _ = f.api.GetKeyRotationStatus(f.ctx, &GetKeyRotationStatusInput{KeyId: key.KeyId})
	if status.KeyRotationEnabled {
		t.Fatal("rotation still enabled")
	}
}

func TestRotateOnDemand(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	var blobs [][]byte
	for i := range maxOnDemandRotations {
		blobs = append(blobs, f.encrypt(key.KeyId, []byte{byte(i)}, nil))
		out, err := f.api.RotateKeyOnDemand(f.ctx, &RotateKeyOnDemandInput{KeyId: key.KeyId})
		f.must(err)
		if out.KeyId != key.Arn {
			t.Fatalf("RotateKeyOnDemand answered %s", out.KeyId)
		}
		f.clock.Advance(time.Minute)
	}
	_, err := f.api.RotateKeyOnDemand(f.ctx, &RotateKeyOnDemandInput{KeyId: key.KeyId})
	wantCode(t, err, CodeLimitExceeded)
	if want := "The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: " + key.Arn; message(err) != want {
		t.Fatalf("message %q", message(err))
	}
	for i, blob := range blobs {
		dec, err := f.api.Decrypt(f.ctx, &DecryptInput{CiphertextBlob: blob})
		f.must(err)
		if !bytes.Equal(dec.Plaintext, []byte{byte(i)}) {
			t.Fatalf("blob %d decrypts to %x", i, dec.Plaintext)
		}
	}

	all, err := f.api.ListKeyRotations(f.ctx, &ListKeyRotationsInput{KeyId: key.KeyId, IncludeKeyMaterial: IncludeAllKeyMaterial, Limit: i32(1000)})
	f.must(err)
	if len(all.Rotations) != maxOnDemandRotations+1 || all.Truncated {
		t.Fatalf("ALL_KEY_MATERIAL listed %d entries", len(all.Rotations))
	}
	first := all.Rotations[0]
	if first.KeyMaterialId != key.CurrentKeyMaterialId || first.RotationType != "" || !first.RotationDate.IsZero() || first.KeyMaterialState != KeyMaterialNonCurrent {
		t.Fatalf("original material entry = %+v", first)
	}
	lastEntry := all.Rotations[maxOnDemandRotations]
	if lastEntry.KeyMaterialState != KeyMaterialCurrent || lastEntry.RotationType != RotationOnDemand || !lastEntry.RotationDate.Equal(testEpoch.Add(24*time.Minute)) || lastEntry.KeyId != key.KeyId {
		t.Fatalf("latest rotation entry = %+v", lastEntry)
	}

	var paged []RotationsListEntry
	marker := ""
	for {
		out, err := f.api.ListKeyRotations(f.ctx, &ListKeyRotationsInput{KeyId: key.KeyId, Limit: i32(10), Marker: marker})
		f.must(err)
		paged = append(paged, out.Rotations...)
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	if len(paged) != maxOnDemandRotations {
		t.Fatalf("ROTATIONS_ONLY in pages listed %d rotations, want %d", len(paged), maxOnDemandRotations)
	}
	for i, e := range paged {
		if e != all.Rotations[i+1] {
			t.Fatalf("page entry %d = %+v, want %+v", i, e, all.Rotations[i+1])
		}
	}
}
