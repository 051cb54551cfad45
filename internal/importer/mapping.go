package importer

import (
	"fmt"
	"strings"
)

// MapTargets are the parts of a pair a field map can fill. prompt, a and b
// are required.
var MapTargets = []string{"prompt", "a", "b", "id", "tags", "model_a", "model_b"}

// ParseMap reads a field map written as target=field pairs separated by
// commas, such as "prompt=question,a=answer_1,b=answer_2,id=qid", the form
// of the --map flag. A blank string gives no map (nil): formats are detected.
func ParseMap(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		target, field, ok := strings.Cut(item, "=")
		target, field = strings.TrimSpace(target), strings.TrimSpace(field)
		if !ok || target == "" || field == "" {
			return nil, fmt.Errorf("map item %q: want target=field", item)
		}
		if _, dup := m[target]; dup {
			return nil, fmt.Errorf("map item %q: %s is mapped twice", item, target)
		}
		m[target] = field
	}
	if err := CheckMap(m); err != nil {
		return nil, err
	}
	return m, nil
}

// CheckMap checks that m names only known targets and all required ones.
func CheckMap(m map[string]string) error {
	for target, field := range m {
		if !isTarget(target) {
			return fmt.Errorf("map target %q is not one of %s",
				target, strings.Join(MapTargets, ", "))
		}
		if field == "" {
			return fmt.Errorf("map target %s has no field", target)
		}
	}
	for _, need := range []string{"prompt", "a", "b"} {
		if _, ok := m[need]; !ok {
			return fmt.Errorf("map needs %s=<field> (prompt, a and b are required)", need)
		}
	}
	return nil
}

func isTarget(t string) bool {
	for _, k := range MapTargets {
		if k == t {
			return true
		}
	}
	return false
}
