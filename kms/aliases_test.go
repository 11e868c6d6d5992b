package kms

import (
	"fmt"
	"strings"
	"testing"
)

func TestAliasLifecycle(t *testing.T) {
	f := newFixture(t)
	a, b := f.newKey(), f.newKey()
	_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/app/prod", TargetKeyId: a.Arn})
	f.must(err)
	d, err := f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: "alias/app/prod"})
	f.must(err)
	if d.KeyMetadata.KeyId != a.KeyId {
		t.Fatalf("alias names %s, want %s", d.KeyMetadata.KeyId, a.KeyId)
	}
	f.clock.Advance(day)
	_, err = f.api.UpdateAlias(f.ctx, &UpdateAliasInput{AliasName: "alias/app/prod", TargetKeyId: b.KeyId})
	f.must(err)
	list, err := f.api.ListAliases(f.ctx, &ListAliasesInput{KeyId: b.KeyId})
	f.must(err)
	want := AliasListEntry{AliasName: "alias/app/prod", AliasArn: "arn:aws:kms:us-east-1:111122223333:alias/app/prod", TargetKeyId: b.KeyId, CreationDate: testEpoch, LastUpdatedDate: testEpoch.Add(day)}
	if len(list.Aliases) != 1 || list.Aliases[0] != want {
		t.Fatalf("ListAliases(b) = %+v, want [%+v]", list.Aliases, want)
	}
	list, err = f.api.ListAliases(f.ctx, &ListAliasesInput{KeyId: a.KeyId})
	f.must(err)
	if len(list.Aliases) != 0 {
		t.Fatalf("ListAliases(a) = %+v after the update", list.Aliases)
	}
	_, err = f.api.DeleteAlias(f.ctx, &DeleteAliasInput{AliasName: "alias/app/prod"})
	f.must(err)
	_, err = f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: "alias/app/prod"})
	wantCode(t, err, CodeNotFound)
	_, err = f.api.DescribeKey(f.ctx, &DescribeKeyInput{KeyId: b.KeyId})
	f.must(err)
}

func TestAliasErrors(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/taken", TargetKeyId: key.KeyId})
	f.must(err)
	cases := []callCase{
		{"existing name", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/taken", TargetKeyId: key.KeyId})
			return err
		}, CodeAlreadyExists, "An alias with the name arn:aws:kms:us-east-1:111122223333:alias/taken already exists"},
		{"no alias/ prefix", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "taken", TargetKeyId: key.KeyId})
			return err
		}, CodeValidation, `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`},
		{"prefix alone", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/", TargetKeyId: key.KeyId})
			return err
		}, CodeInvalidAliasName, ""},
		{"reserved prefix", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/aws/mine", TargetKeyId: key.KeyId})
			return err
		}, CodeNotAuthorized, ""},
		{"deleting a reserved alias", func() error {
			_, err := f.api.DeleteAlias(f.ctx, &DeleteAliasInput{AliasName: "alias/aws/s3"})
			return err
		}, CodeNotAuthorized, ""},
		{"bad characters", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/with space", TargetKeyId: key.KeyId})
			return err
		}, CodeValidation, "1 validation error detected: Value 'alias/with space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"},
		{"too long", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/" + strings.Repeat("x", 251), TargetKeyId: key.KeyId})
			return err
		}, CodeValidation, ""},
		{"both members missing", func() error { _, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{}); return err }, CodeValidation,
			"2 validation errors detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null; Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null"},
		{"alias to an alias", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/second", TargetKeyId: "alias/taken"})
			return err
		}, CodeValidation, "Aliases must refer to keys. Not aliases"},
		{"missing target", func() error {
			_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: "alias/second", TargetKeyId: "00000000-0000-4000-8000-000000000000"})
			return err
		}, CodeNotFound, ""},
		{"updating a missing alias", func() error {
			_, err := f.api.UpdateAlias(f.ctx, &UpdateAliasInput{AliasName: "alias/none", TargetKeyId: key.KeyId})
			return err
		}, CodeNotFound, "Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found."},
		{"deleting a missing alias", func() error {
			_, err := f.api.DeleteAlias(f.ctx, &DeleteAliasInput{AliasName: "alias/none"})
			return err
		}, CodeNotFound, "Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found."},
		{"listing a missing key", func() error {
			_, err := f.api.ListAliases(f.ctx, &ListAliasesInput{KeyId: "00000000-0000-4000-8000-000000000000"})
			return err
		}, CodeNotFound, ""},
		{"listing by alias", func() error {
			_, err := f.api.ListAliases(f.ctx, &ListAliasesInput{KeyId: "alias/taken"})
			return err
		}, CodeNotFound, "Invalid keyId 'alias/taken'"},
	}
	runCalls(t, cases)
}

func TestListAliasesPagination(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	for i := range 7 {
		_, err := f.api.CreateAlias(f.ctx, &CreateAliasInput{AliasName: fmt.Sprintf("alias/a%02d", i), TargetKeyId: key.KeyId})
		f.must(err)
	}
	var names []string
	marker := ""
	for {
		out, err := f.api.ListAliases(f.ctx, &ListAliasesInput{Limit: i32(3), Marker: marker})
		f.must(err)
		if len(out.Aliases) > 3 {
			t.Fatalf("page of %d", len(out.Aliases))
		}
		for _, a := range out.Aliases {
			names = append(names, a.AliasName)
		}
		if !out.Truncated {
			break
		}
		marker = out.NextMarker
	}
	// The predefined alias/aws/s3 is listed (without a target) before its
	// key exists.
	want := "alias/a00 alias/a01 alias/a02 alias/a03 alias/a04 alias/a05 alias/a06 alias/aws/s3"
	if strings.Join(names, " ") != want {
		t.Fatalf("listed %v, want %s", names, want)
	}
	big, err := f.api.ListAliases(f.ctx, &ListAliasesInput{Limit: i32(1000)})
	f.must(err)
	if len(big.Aliases) != 8 || big.Aliases[7].TargetKeyId != "" {
		t.Fatalf("Limit 1000 = %+v", big.Aliases)
	}
}
