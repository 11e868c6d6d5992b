package iam

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkAccessKey is the per-request cost of identifying a signer and
// fetching their policies, with 1000 users in the directory.
func BenchmarkAccessKey(b *testing.B) {
	ctx := context.Background()
	d, _, _ := newDirectory(b)
	var id string
	for i := range 1000 {
		name := fmt.Sprintf("user%04d", i)
		if _, err := d.CreateUser(ctx, name, ""); err != nil {
			b.Fatal(err)
		}
		k, err := d.CreateAccessKey(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.PutUserPolicy(ctx, name, "p", allowRead); err != nil {
			b.Fatal(err)
		}
		id = k.ID
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p, _, ok := d.AccessKey(id)
			if !ok || len(d.IdentityPolicies(p)) != 1 {
				b.Fatal("lookup failed")
			}
		}
	})
}
