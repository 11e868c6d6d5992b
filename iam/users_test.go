package iam

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, user, path string
		kind             error
		message          string
		wantARN          string
	}{
		{"default path", "alice", "", nil, "", "arn:aws:iam::111122223333:user/alice"},
		{"explicit root path", "bob", "/", nil, "", "arn:aws:iam::111122223333:user/bob"},
		{"nested path", "deployer", "/ci/prod/", nil, "", "arn:aws:iam::111122223333:user/ci/prod/deployer"},
		{"every allowed character", "a_b+c=d,e.f@g-h9", "", nil, "", "arn:aws:iam::111122223333:user/a_b+c=d,e.f@g-h9"},
		{"64 characters", strings.Repeat("n", 64), "", nil, "", "arn:aws:iam::111122223333:user/" + strings.Repeat("n", 64)},
		{"empty name", "", "", ErrValidation, "Value null at 'userName' failed to satisfy constraint: Member must not be null", ""},
		{"65 characters", strings.Repeat("n", 65), "", ErrValidation, "Member must have length less than or equal to 64", ""},
		{"space", "al ice", "", ErrValidation, `Value 'al ice' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, ""},
		{"slash", "a/b", "", ErrValidation, "regular expression pattern", ""},
		{"unicode", "alïce", "", ErrValidation, "regular expression pattern", ""},
		{"control character is escaped", "a\nb", "", ErrValidation, `'a\u000ab'`, ""},
		{"path without trailing slash", "carol", "/ci", ErrValidation, "at 'path' failed to satisfy constraint", ""},
		{"path without leading slash", "carol", "ci/", ErrValidation, "at 'path'", ""},
		{"path with a space", "carol", "/c i/", ErrValidation, "at 'path'", ""},
		{"path too long", "carol", "/" + strings.Repeat("p", 511) + "/", ErrValidation, "have length less than or equal to 512", ""},
		{"two violations", "", "x", ErrValidation, "2 validation errors detected", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _, _ := newDirectory(t)
			u, err := d.CreateUser(ctx, tt.user, tt.path)
			if tt.kind != nil {
				wantError(t, "CreateUser", err, tt.kind, tt.message)
				if users, _ := d.ListUsers(""); len(users) != 0 {
					t.Fatalf("a refused CreateUser made %v", users)
				}
				return
			}
			noErr(t, "CreateUser", err)
			wantPath := tt.path
			if wantPath == "" {
				wantPath = "/"
			}
			if u.Name != tt.user || u.Path != wantPath || u.ARN != tt.wantARN || !isID(u.ID, "AIDA", 17) || !u.Created.Equal(testEpoch) {
				t.Fatalf("CreateUser = %+v", u)
			}
			if got := must[User](t)(d.GetUser(tt.user)); got != u {
				t.Fatalf("GetUser = %+v, want %+v", got, u)
			}
		})
	}
}

func TestUserNamesIgnoreCase(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDirectory(t)
	alice := must[User](t)(d.CreateUser(ctx, "Alice", ""))
	for _, name := range []string{"alice", "ALICE", "Alice"} {
		_, err := d.CreateUser(ctx, name, "/other/")
		wantError(t, "CreateUser "+name, err, ErrEntityAlreadyExists, "User with name "+name+" already exists.")
		if got := must[User](t)(d.GetUser(name)); got != alice {
			t.Fatalf("GetUser(%s) = %+v", name, got)
		}
	}
	noErr(t, "DeleteUser", d.DeleteUser(ctx, "aLiCe"))
	_, err := d.GetUser("Alice")
	wantError(t, "GetUser after delete", err, ErrNoSuchEntity, "The user with name Alice cannot be found.")
}

func TestListUsers(t *testing.T) {
	ctx := context.Background()
	d, _, c := newDirectory(t)
	for _, u := range []struct{ name, path string }{
		{"zoe", "/"}, {"Bob", "/eng/"}, {"alice", "/eng/ci/"}, {"carl", "/engineering/"}, {"dan", "/ops/"},
	} {
		must[User](t)(d.CreateUser(ctx, u.name, u.path))
		c.Advance(time.Second)
	}
	for _, tt := range []struct {
		prefix string
		want   string
		kind   error
	}{
		{"", "alice Bob carl dan zoe", nil},
		{"/", "alice Bob carl dan zoe", nil},
		{"/eng/", "alice Bob", nil},
		{"/eng", "alice Bob carl", nil},
		{"/eng/ci/", "alice", nil},
		{"/none/", "", nil},
		{"eng/", "", ErrValidation},
		{"/a b", "", ErrValidation},
	} {
		t.Run(tt.prefix, func(t *testing.T) {
			users, err := d.ListUsers(tt.prefix)
			if tt.kind != nil {
				wantError(t, "ListUsers", err, tt.kind, "at 'pathPrefix'")
				return
			}
			noErr(t, "ListUsers", err)
			var names []string
			for _, u := range users {
				names = append(names, u.Name)
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Fatalf("ListUsers(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func TestDeleteUser(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		setup   func(t *testing.T, d *Directory)
		user    string
		kind    error
		message string
	}{
		{"no such user", func(*testing.T, *Directory) {}, "nobody", ErrNoSuchEntity, "The user with name nobody cannot be found."},
		{"invalid name", func(*testing.T, *Directory) {}, "no body", ErrValidation, "at 'userName'"},
		{"bare user", func(t *testing.T, d *Directory) { must[User](t)(d.CreateUser(ctx, "alice", "")) }, "alice", nil, ""},
		{"with an access key", func(t *testing.T, d *Directory) {
			must[User](t)(d.CreateUser(ctx, "alice", ""))
			must[NewAccessKey](t)(d.CreateAccessKey(ctx, "alice"))
		}, "alice", ErrDeleteConflict, "Cannot delete entity, must delete access keys first."},
		{"with an inactive access key", func(t *testing.T, d *Directory) {
			must[User](t)(d.CreateUser(ctx, "alice", ""))
			k := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "alice"))
			noErr(t, "UpdateAccessKey", d.UpdateAccessKey(ctx, "alice", k.ID, StatusInactive))
		}, "alice", ErrDeleteConflict, "must delete access keys first"},
		{"with a policy", func(t *testing.T, d *Directory) {
			must[User](t)(d.CreateUser(ctx, "alice", ""))
			noErr(t, "PutUserPolicy", d.PutUserPolicy(ctx, "alice", "p", allowAll))
		}, "alice", ErrDeleteConflict, "Cannot delete entity, must delete policies first."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _, _ := newDirectory(t)
			tt.setup(t, d)
			err := d.DeleteUser(ctx, tt.user)
			if tt.kind != nil {
				wantError(t, "DeleteUser", err, tt.kind, tt.message)
				return
			}
			noErr(t, "DeleteUser", err)
			if _, err := d.GetUser(tt.user); err == nil {
				t.Fatal("the user is still there")
			}
		})
	}
}

// TestRecreatedUserIsAnotherPrincipal: a user deleted and created again
// under the same name has a new id, and the old principal gets nothing of
// the new user's policies.
func TestRecreatedUserIsAnotherPrincipal(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDirectory(t)
	must[User](t)(d.CreateUser(ctx, "alice", ""))
	k := must[NewAccessKey](t)(d.CreateAccessKey(ctx, "alice"))
	old, _, ok := d.AccessKey(k.ID)
	if !ok {
		t.Fatal("AccessKey of a new key")
	}
	noErr(t, "DeleteAccessKey", d.DeleteAccessKey(ctx, "alice", k.ID))
	noErr(t, "DeleteUser", d.DeleteUser(ctx, "alice"))
	again := must[User](t)(d.CreateUser(ctx, "alice", ""))
	noErr(t, "PutUserPolicy", d.PutUserPolicy(ctx, "alice", "all", allowAll))
	if again.ID == old.UserID {
		t.Fatal("the new user has the old user's id")
	}
	if docs := d.IdentityPolicies(old); docs != nil {
		t.Fatalf("the old principal gets %q", docs)
	}
}
