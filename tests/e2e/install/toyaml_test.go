package install

// toYaml for the test renderer: block-style YAML like Helm's (keys sorted, lists under a key
// at the key's column as go-yaml writes them), so `toYaml . | nindent N` can follow other
// entries of the same mapping. Strings are written as JSON strings, which YAML reads as
// double-quoted scalars with the same value.

import (
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_./-]*$`)

func yamlKey(k string) string {
	switch strings.ToLower(k) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
	default:
		if plainKey.MatchString(k) {
			return k
		}
	}
	b, _ := json.Marshal(k)
	return string(b)
}

func yamlScalar(v interface{}) (string, error) {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10), nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// toYAML renders v as block YAML without a trailing newline.
func toYAML(v interface{}) (string, error) {
	var lines []string
	err := writeYAML(v, 0, &lines)
	return strings.Join(lines, "\n"), err
}

func writeYAML(v interface{}, indent int, lines *[]string) error {
	pad := strings.Repeat(" ", indent)
	switch x := v.(type) {
	case map[string]interface{}:
		if len(x) == 0 {
			*lines = append(*lines, pad+"{}")
			return nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			line := pad + yamlKey(k) + ":"
			switch child := x[k].(type) {
			case map[string]interface{}:
				if len(child) > 0 {
					*lines = append(*lines, line)
					if err := writeYAML(child, indent+2, lines); err != nil {
						return err
					}
					continue
				}
			case []interface{}:
				if len(child) > 0 {
					*lines = append(*lines, line)
					if err := writeYAML(child, indent, lines); err != nil {
						return err
					}
					continue
				}
			}
			s, err := flowYAML(x[k])
			if err != nil {
				return err
			}
			*lines = append(*lines, line+" "+s)
		}
	case []interface{}:
		if len(x) == 0 {
			*lines = append(*lines, pad+"[]")
			return nil
		}
		for _, item := range x {
			var sub []string
			if err := writeYAML(item, indent+2, &sub); err != nil {
				return err
			}
			sub[0] = pad + "- " + strings.TrimPrefix(sub[0], pad+"  ")
			*lines = append(*lines, sub...)
		}
	default:
		s, err := yamlScalar(v)
		if err != nil {
			return err
		}
		*lines = append(*lines, pad+s)
	}
	return nil
}

// flowYAML writes empty collections and scalars inline.
func flowYAML(v interface{}) (string, error) {
	switch x := v.(type) {
	case map[string]interface{}:
		if len(x) == 0 {
			return "{}", nil
		}
	case []interface{}:
		if len(x) == 0 {
			return "[]", nil
		}
	}
	return yamlScalar(v)
}
