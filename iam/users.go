package iam

import (
	"context"
	"slices"
	"strings"
	"time"
)

// User is a user's public description (IAM's User type).
type User struct {
	Name    string
	Path    string // "/" unless the user was created under another path
	ID      string // AIDA + 17 characters, unique for the life of the directory
	ARN     string // arn:aws:iam::<account>:user<path><name>
	Created time.Time
}

// CreateUser adds a user named name (1-64 characters of [\w+=,.@-],
// unique regardless of case) under path ("" means "/"). The user can do
// nothing until a policy allows it. ErrValidation, ErrEntityAlreadyExists,
// ErrLimitExceeded (MaxUsers).
func (d *Directory) CreateUser(ctx context.Context, name, path string) (User, error) {
	if path == "" {
		path = "/"
	}
	var v violations
	v.name("userName", name, maxUserNameLength)
	v.path("path", path)
	if err := v.err(); err != nil {
		return User{}, err
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	if d.users[foldName(name)] != nil {
		return User{}, newError(ErrEntityAlreadyExists, "User with name %s already exists.", name)
	}
	if len(d.users) >= MaxUsers {
		return User{}, newError(ErrLimitExceeded, "Cannot exceed quota for UsersPerAccount: %d", MaxUsers)
	}
	id, err := d.newUserID()
	if err != nil {
		return User{}, err
	}
	u := &user{name: name, path: path, id: id, arn: UserARN(d.accountID, path, name), created: d.creationTime()}
	if err := d.writeUser(ctx, u, true); err != nil {
		return User{}, err
	}
	d.publish(func() { d.users[foldName(name)] = u })
	return u.public(), nil
}

// newUserID draws a user id no user has; callers hold writeMu.
func (d *Directory) newUserID() (string, error) {
	for {
		suffix, err := randomString(d.random, idAlphabet, userIDRandom)
		if err != nil {
			return "", err
		}
		id := userIDPrefix + suffix
		taken := false
		for _, u := range d.users {
			taken = taken || u.id == id
		}
		if !taken {
			return id, nil
		}
	}
}

// GetUser describes the user named name (any case). ErrValidation,
// ErrNoSuchEntity.
func (d *Directory) GetUser(name string) (User, error) {
	var v violations
	v.name("userName", name, maxUserNameLength)
	if err := v.err(); err != nil {
		return User{}, err
	}
	u, err := d.readUser(name)
	if err != nil {
		return User{}, err
	}
	return u.public(), nil
}

// ListUsers returns the users whose path starts with pathPrefix ("" means
// "/", every user), sorted by name regardless of case. ErrValidation.
func (d *Directory) ListUsers(pathPrefix string) ([]User, error) {
	if pathPrefix == "" {
		pathPrefix = "/"
	}
	var v violations
	v.pathPrefix("pathPrefix", pathPrefix)
	if err := v.err(); err != nil {
		return nil, err
	}
	d.mu.RLock()
	all := d.userList()
	d.mu.RUnlock()
	out := []User{}
	for _, u := range all {
		if strings.HasPrefix(u.path, pathPrefix) {
			out = append(out, u.public())
		}
	}
	return out, nil
}

// userList returns every user sorted by folded name; callers hold mu or
// writeMu.
func (d *Directory) userList() []*user {
	out := make([]*user, 0, len(d.users))
	for _, u := range d.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *user) int { return strings.Compare(foldName(a.name), foldName(b.name)) })
	return out
}

// DeleteUser removes the user named name, which must have no access keys
// and no inline policies left, as IAM requires. ErrValidation,
// ErrNoSuchEntity, ErrDeleteConflict.
func (d *Directory) DeleteUser(ctx context.Context, name string) error {
	var v violations
	v.name("userName", name, maxUserNameLength)
	if err := v.err(); err != nil {
		return err
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	u, err := d.lookupUser(name)
	if err != nil {
		return err
	}
	if len(d.keysOf(u)) > 0 {
		return newError(ErrDeleteConflict, "Cannot delete entity, must delete access keys first.")
	}
	if len(u.policies) > 0 {
		return newError(ErrDeleteConflict, "Cannot delete entity, must delete policies first.")
	}
	if err := d.remove(ctx, userRecordName(foldName(u.name))); err != nil {
		return err
	}
	d.publish(func() { delete(d.users, foldName(u.name)) })
	return nil
}
