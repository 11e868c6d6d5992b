package policy

import "strings"

// resourceSet is a compiled Resource or NotResource element. Resources
// compare case-sensitively, segment by segment (see arnPattern).
type resourceSet struct {
	entries []resourceEntry
}

type resourceEntry struct {
	value value
	arn   arnPattern // when value is static
}

func (r resourceSet) match(resource target, ctx *contextKeys) bool {
	for i := range r.entries {
		e := &r.entries[i]
		if e.value.static {
			if e.arn.matchTarget(resource) {
				return true
			}
			continue
		}
		// A variable without a value leaves the entry matching nothing.
		if p, ok := e.value.resolve(ctx); ok && splitARNPattern(p).matchTarget(resource) {
			return true
		}
	}
	return false
}

func parseResources(names []string, variables bool) (resourceSet, string) {
	var set resourceSet
	for _, name := range names {
		if detail := validResourceName(name, variables); detail != "" {
			return resourceSet{}, detail
		}
		v, err := compileValue(name, true, variables)
		if err != nil {
			return resourceSet{}, "malformed policy variable in " + quote(name)
		}
		e := resourceEntry{value: v}
		if v.static {
			e.arn = compileARN(v.pattern)
		}
		set.entries = append(set.entries, e)
	}
	return set, ""
}

// validResourceName accepts "*" and ARNs with all six segments whose
// first is "arn" and whose service is named without wildcards. Variables
// are checked as if replaced by a plain value.
func validResourceName(name string, variables bool) string {
	if name == "*" {
		return ""
	}
	shape := name
	if variables {
		shape = variableShape(name)
	}
	parts, ok := splitARN(shape)
	if !ok || parts[0] != "arn" || parts[1] == "" {
		return "not \"*\" nor an ARN: " + quote(name)
	}
	if parts[2] == "" || strings.ContainsAny(parts[2], "*?") {
		return "the service in a resource ARN cannot be empty or a wildcard: " + quote(name)
	}
	return ""
}

// variableShape replaces each ${...} with "v" so that the colons inside
// variable names do not count as ARN separators.
func variableShape(s string) string {
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:start])
		b.WriteString("v")
		s = s[start+end+1:]
	}
}
