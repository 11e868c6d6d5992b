package kms

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// maxTagsPerKey is AWS's limit of tags on one key.
const maxTagsPerKey = 50

// tags checks tag members against the model.
func (v *violations) tags(tags []Tag) {
	for i, t := range tags {
		v.length(fmt.Sprintf("tags.%d.member.tagKey", i+1), t.TagKey, 1, 128)
		v.length(fmt.Sprintf("tags.%d.member.tagValue", i+1), t.TagValue, 0, 256)
	}
}

func reservedTagKey(k string) bool { return strings.HasPrefix(strings.ToLower(k), "aws:") }

// checkTags applies the tagging rules to adding tags to existing ones:
// no reserved keys, no key twice in one request, at most 50 in all.
func checkTags(tags, existing []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if reservedTagKey(t.TagKey) {
			return kmsError(CodeTag, "Tags beginning with aws: are reserved")
		}
		if seen[t.TagKey] {
			return kmsError(CodeTag, "Duplicate tag keys")
		}
		seen[t.TagKey] = true
	}
	total := len(tags)
	for _, t := range existing {
		if !seen[t.TagKey] {
			total++
		}
	}
	if total > maxTagsPerKey {
		return kmsError(CodeTag, "Too many tags: a key can have at most %d tags.", maxTagsPerKey)
	}
	return nil
}

// TagResourceInput is the request of TagResource.
type TagResourceInput struct {
	KeyId string `json:"KeyId"`
	Tags  []Tag  `json:"Tags"`
}

// TagResourceOutput is the (empty) response of TagResource.
type TagResourceOutput struct{}

// TagResource adds tags to a key, replacing the values of keys it has.
func (a *API) TagResource(ctx context.Context, in *TagResourceInput) (out *TagResourceOutput, err error) {
	c, err := a.k.begin(ctx, "TagResource", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	v := c.keyIDViolations(in.KeyId)
	if in.Tags == nil {
		v.add("null", "tags", "not be null")
	}
	v.tags(in.Tags)
	kk, err := c.operandKey(v, in.KeyId, keysOnly, notPending)
	if err != nil {
		return nil, err
	}
	_, err = c.changeKey(kk, notPending, func(_ *key, rec *keyRecord) error {
		if err := checkTags(in.Tags, rec.Tags); err != nil {
			return err
		}
		for _, t := range in.Tags {
			i := slices.IndexFunc(rec.Tags, func(x Tag) bool { return x.TagKey == t.TagKey })
			if i >= 0 {
				rec.Tags[i].TagValue = t.TagValue
			} else {
				rec.Tags = append(rec.Tags, t)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResourceInput is the request of UntagResource.
type UntagResourceInput struct {
	KeyId   string   `json:"KeyId"`
	TagKeys []string `json:"TagKeys"`
}

// UntagResourceOutput is the (empty) response of UntagResource.
type UntagResourceOutput struct{}

// UntagResource removes tags from a key; absent keys are ignored.
func (a *API) UntagResource(ctx context.Context, in *UntagResourceInput) (out *UntagResourceOutput, err error) {
	c, err := a.k.begin(ctx, "UntagResource", writeAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	v := c.keyIDViolations(in.KeyId)
	if in.TagKeys == nil {
		v.add("null", "tagKeys", "not be null")
	}
	for i, k := range in.TagKeys {
		v.length(fmt.Sprintf("tagKeys.%d.member", i+1), k, 1, 128)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		if reservedTagKey(k) {
			return nil, kmsError(CodeTag, "Tags beginning with aws: are reserved")
		}
	}
	kk, err := c.useKey(in.KeyId, keysOnly, "kms:UntagResource", notPending, nil)
	if err != nil {
		return nil, err
	}
	_, err = c.changeKey(kk, notPending, func(_ *key, rec *keyRecord) error {
		rec.Tags = slices.DeleteFunc(rec.Tags, func(t Tag) bool { return slices.Contains(in.TagKeys, t.TagKey) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListResourceTagsInput is the request of ListResourceTags.
type ListResourceTagsInput struct {
	KeyId  string `json:"KeyId"`
	Limit  *int32 `json:"Limit"`
	Marker string `json:"Marker"`
}

// ListResourceTagsOutput is the response of ListResourceTags.
type ListResourceTagsOutput struct {
	Tags       []Tag  `json:"Tags"`
	NextMarker string `json:"NextMarker,omitempty"`
	Truncated  bool   `json:"Truncated"`
}

// ListResourceTags lists a key's tags in tag key order.
func (a *API) ListResourceTags(ctx context.Context, in *ListResourceTagsInput) (out *ListResourceTagsOutput, err error) {
	c, err := a.k.begin(ctx, "ListResourceTags", readAccess)
	defer func() { err = c.finish(err) }()
	if err != nil {
		return nil, err
	}
	in = orEmpty(in)
	v := c.keyIDViolations(in.KeyId)
	v.limit(in.Limit)
	v.marker(in.Marker)
	kk, err := c.operandKey(v, in.KeyId, keysOnly, anyState)
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(kk.rec.Tags)
	slices.SortFunc(tags, func(x, y Tag) int { return strings.Compare(x.TagKey, y.TagKey) })
	page, next, err := paginate(tags, func(t Tag) string { return t.TagKey }, "tags", in.Marker, tagsLimits.size(in.Limit))
	if err != nil {
		return nil, err
	}
	return &ListResourceTagsOutput{Tags: page, NextMarker: next, Truncated: next != ""}, nil
}
