package kms

import (
	"fmt"
	"testing"
)

func TestTags(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	_, err := f.api.TagResource(f.ctx, &TagResourceInput{KeyId: key.KeyId, Tags: []Tag{{TagKey: "team", TagValue: "storage"}, {TagKey: "env", TagValue: ""}}})
	f.must(err)
	_, err = f.api.TagResource(f.ctx, &TagResourceInput{KeyId: key.Arn, Tags: []Tag{{TagKey: "team", TagValue: "crypto"}}})
	f.must(err)
	list, err := f.api.ListResourceTags(f.ctx, &ListResourceTagsInput{KeyId: key.KeyId})
	f.must(err)
	if fmt.Sprint(list.Tags) != "[{env } {team crypto}]" || list.Truncated {
		t.Fatalf("tags = %v", list.Tags)
	}
	_, err = f.api.UntagResource(f.ctx, &UntagResourceInput{KeyId: key.KeyId, TagKeys: []string{"env", "absent"}})
	f.must(err)
	list, _ = f.api.ListResourceTags(f.ctx, &ListResourceTagsInput{KeyId: key.KeyId})
	if fmt.Sprint(list.Tags) != "[{team crypto}]" {
		t.Fatalf("tags after untag = %v", list.Tags)
	}

	cases := []struct {
		name string
		tags []Tag
		code string
		msg  string
	}{
		{"reserved prefix", []Tag{{TagKey: "AWS:x", TagValue: "y"}}, CodeTag, "Tags beginning with aws: are reserved"},
		{"duplicate keys", []Tag{{TagKey: "a", TagValue: "1"}, {TagKey: "a", TagValue: "2"}}, CodeTag, "Duplicate tag keys"},
		{"empty key", []Tag{{TagKey: "", TagValue: "1"}}, CodeValidation, "1 validation error detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"no tags member", nil, CodeValidation, "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"51st tag", manyTags(50), CodeTag, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.api.TagResource(f.ctx, &TagResourceInput{KeyId: key.KeyId, Tags: tc.tags})
			wantCode(t, err, tc.code)
			if tc.msg != "" && message(err) != tc.msg {
				t.Fatalf("message %q, want %q", message(err), tc.msg)
			}
		})
	}
	_, err = f.api.UntagResource(f.ctx, &UntagResourceInput{KeyId: key.KeyId, TagKeys: []string{"aws:x"}})
	wantCode(t, err, CodeTag)
}

func manyTags(n int) []Tag {
	tags := make([]Tag, n)
	for i := range tags {
		tags[i] = Tag{TagKey: fmt.Sprintf("k%02d", i), TagValue: "v"}
	}
	return tags
}

func TestListResourceTagsPagination(t *testing.T) {
	f := newFixture(t)
	key := f.newKey()
	_, err := f.api.TagResource(f.ctx, &TagResourceInput{KeyId: key.KeyId, Tags: manyTags(50)})
	f.must(err)
	first, err := f.api.ListResourceTags(f.ctx, &ListResourceTagsInput{KeyId: key.KeyId, Limit: i32(1000)})
	f.must(err)
	if len(first.Tags) != 50 || first.Truncated {
		t.Fatalf("Limit 1000 (served as 50) gave %d tags, truncated %v", len(first.Tags), first.Truncated)
	}
	page, err := f.api.ListResourceTags(f.ctx, &ListResourceTagsInput{KeyId: key.KeyId, Limit: i32(20)})
	f.must(err)
	rest, err := f.api.ListResourceTags(f.ctx, &ListResourceTagsInput{KeyId: key.KeyId, Limit: i32(40), Marker: page.NextMarker})
	f.must(err)
	if len(page.Tags) != 20 || !page.Truncated || len(rest.Tags) != 30 || rest.Truncated || rest.Tags[0].TagKey != "k20" {
		t.Fatalf("pages of %d and %d tags", len(page.Tags), len(rest.Tags))
	}
}
