package policy

import "strings"

// actionSet is a compiled Action or NotAction element. Actions compare
// case-insensitively ("S3:getobject" is s3:GetObject): patterns are kept
// lower-cased (action names are ASCII) and the request's action is folded
// as it is compared.
type actionSet struct {
	patterns []pattern
}

func (a actionSet) match(action string) bool {
	for _, p := range a.patterns {
		if p.matchFold(action) {
			return true
		}
	}
	return false
}

// parseActions compiles the names; known, when not empty, holds the
// lower-cased actions the service has, and each name must cover one.
func parseActions(names []string, known []string) (actionSet, string) {
	var set actionSet
	for _, name := range names {
		if !validActionName(name) {
			return actionSet{}, "not \"*\" nor service:action: " + quote(name)
		}
		p := compileWildcard(strings.ToLower(name))
		if len(known) > 0 && !coversKnown(p, known) {
			return actionSet{}, "no such action: " + quote(name)
		}
		set.patterns = append(set.patterns, p)
	}
	return set, ""
}

// validActionName accepts "*" and "prefix:name" where the service prefix
// is literal and the name is letters, digits and wildcards.
func validActionName(name string) bool {
	if name == "*" {
		return true
	}
	prefix, action, ok := strings.Cut(name, ":")
	if !ok || prefix == "" || action == "" {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if !isServiceChar(prefix[i]) {
			return false
		}
	}
	for i := 0; i < len(action); i++ {
		c := action[i]
		if !(isServiceChar(c) || c == '*' || c == '?' || c == '_') {
			return false
		}
	}
	return true
}

func coversKnown(p pattern, known []string) bool {
	for _, k := range known {
		if p.match(k) {
			return true
		}
	}
	return false
}
