package gcp

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A filter is a parsed list filter: the `filter` parameter of Google's list
// calls, in the subset of the AIP-160 grammar both Compute Engine and Cloud
// SQL accept. Comparisons (field = value, !=, :, <, <=, >, >=, and Compute
// Engine's regular expression forms eq and ne) combine with AND (also
// implied by juxtaposition), OR (which binds tighter, as AIP-160 says), NOT
// and parentheses. Fields are dotted paths into the resource's JSON.
type filter interface {
	match(resource map[string]any) bool
}

type (
	andFilter []filter
	orFilter  []filter
	notFilter struct{ f filter }
	cmpFilter struct {
		path  []string
		op    string
		value string
		re    *regexp.Regexp
	}
	allFilter struct{}
)

func (f andFilter) match(r map[string]any) bool {
	for _, g := range f {
		if !g.match(r) {
			return false
		}
	}
	return true
}

func (f orFilter) match(r map[string]any) bool {
	for _, g := range f {
		if g.match(r) {
			return true
		}
	}
	return false
}

func (f notFilter) match(r map[string]any) bool { return !f.f.match(r) }

func (allFilter) match(map[string]any) bool { return true }

func (f cmpFilter) match(r map[string]any) bool {
	vals, present := lookupPath(r, f.path)
	switch f.op {
	case "!=":
		return !anyValue(vals, func(v string) bool { return f.re.MatchString(v) })
	case "ne":
		return !anyValue(vals, func(v string) bool { return f.re.MatchString(v) })
	case ":":
		if f.value == "*" {
			return present
		}
		for _, v := range vals {
			if m, ok := v.(map[string]any); ok {
				if _, has := m[f.value]; has {
					return true
				}
			}
		}
		return anyValue(vals, func(v string) bool { return f.re.MatchString(v) })
	case "=", "eq":
		return anyValue(vals, func(v string) bool { return f.re.MatchString(v) })
	default: // <, <=, >, >=
		return anyValue(vals, func(v string) bool { return ordered(v, f.op, f.value) })
	}
}

// lookupPath returns the values at a dotted path, looking through arrays,
// and whether the path leads anywhere.
func lookupPath(r map[string]any, path []string) ([]any, bool) {
	cur := []any{r}
	for _, p := range path {
		var next []any
		for _, c := range cur {
			switch v := c.(type) {
			case map[string]any:
				if x, ok := v[p]; ok {
					next = append(next, x)
				}
			case []any:
				for _, e := range v {
					if m, ok := e.(map[string]any); ok {
						if x, ok := m[p]; ok {
							next = append(next, x)
						}
					}
				}
			}
		}
		cur = next
	}
	out := make([]any, 0, len(cur))
	for _, c := range cur {
		if a, ok := c.([]any); ok {
			out = append(out, a...)
			continue
		}
		out = append(out, c)
	}
	return out, len(cur) > 0
}

func anyValue(vals []any, fn func(string) bool) bool {
	for _, v := range vals {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case bool:
			s = strconv.FormatBool(x)
		case json.Number:
			s = x.String()
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			continue
		}
		if fn(s) {
			return true
		}
	}
	return false
}

func ordered(v, op, want string) bool {
	c := strings.Compare(v, want)
	if a, err := strconv.ParseFloat(v, 64); err == nil {
		if b, err := strconv.ParseFloat(want, 64); err == nil {
			switch {
			case a < b:
				c = -1
			case a > b:
				c = 1
			default:
				c = 0
			}
		}
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

// parseFilter parses a filter expression; an empty one matches everything.
func parseFilter(s string) (filter, error) {
	toks, err := lexFilter(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return allFilter{}, nil
	}
	p := &filterParser{toks: toks}
	f, err := p.sequence()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, errors.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	return f, nil
}

type filterToken struct {
	text   string
	quoted bool
}

func lexFilter(s string) ([]filterToken, error) {
	var out []filterToken
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		var (
			t   filterToken
			n   int
			err error
		)
		switch c := rs[i]; {
		case strings.ContainsRune("():=!<>", c):
			t, n, err = lexOperator(rs[i:])
		case c == '"' || c == '\'':
			t, n, err = lexQuoted(rs[i:])
		default:
			t, n = lexWord(rs[i:])
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		i += n
	}
	return out, nil
}

// lexOperator reads a parenthesis or comparison operator at the start of rs.
func lexOperator(rs []rune) (filterToken, int, error) {
	c := rs[0]
	if (c == '!' || c == '<' || c == '>') && len(rs) > 1 && rs[1] == '=' {
		return filterToken{text: string(rs[:2])}, 2, nil
	}
	if c == '!' {
		return filterToken{}, 0, errors.New("'!' must be followed by '='")
	}
	return filterToken{text: string(c)}, 1, nil
}

// lexQuoted reads a quoted string at the start of rs; a backslash escapes
// the next character.
func lexQuoted(rs []rune) (filterToken, int, error) {
	var b strings.Builder
	for j := 1; j < len(rs); j++ {
		switch rs[j] {
		case rs[0]:
			return filterToken{text: b.String(), quoted: true}, j + 1, nil
		case '\\':
			if j+1 < len(rs) {
				j++
			}
		}
		b.WriteRune(rs[j])
	}
	return filterToken{}, 0, errors.New("unterminated quoted string")
}

// lexWord reads a field name, keyword or bare value at the start of rs.
func lexWord(rs []rune) (filterToken, int) {
	j := 0
	for j < len(rs) && !unicode.IsSpace(rs[j]) && !strings.ContainsRune("()=:!<>\"'", rs[j]) {
		j++
	}
	return filterToken{text: string(rs[:j])}, j
}

type filterParser struct {
	toks []filterToken
	pos  int
}

func (p *filterParser) peek() (filterToken, bool) {
	if p.pos >= len(p.toks) {
		return filterToken{}, false
	}
	return p.toks[p.pos], true
}

func (p *filterParser) keyword(k string) bool {
	t, ok := p.peek()
	if ok && !t.quoted && t.text == k {
		p.pos++
		return true
	}
	return false
}

// sequence := factor { [AND] factor }.
func (p *filterParser) sequence() (filter, error) {
	var fs andFilter
	for {
		f, err := p.factor()
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
		and := p.keyword("AND")
		t, ok := p.peek()
		if !ok || (!t.quoted && t.text == ")") {
			if and {
				return nil, errors.New("AND must be followed by a condition")
			}
			break
		}
	}
	if len(fs) == 1 {
		return fs[0], nil
	}
	return fs, nil
}

// factor := term { OR term }.
func (p *filterParser) factor() (filter, error) {
	f, err := p.term()
	if err != nil {
		return nil, err
	}
	fs := orFilter{f}
	for p.keyword("OR") {
		g, err := p.term()
		if err != nil {
			return nil, err
		}
		fs = append(fs, g)
	}
	if len(fs) == 1 {
		return fs[0], nil
	}
	return fs, nil
}

// term := [NOT|-] ( '(' sequence ')' | comparison ).
func (p *filterParser) term() (filter, error) {
	if p.keyword("NOT") {
		f, err := p.term()
		if err != nil {
			return nil, err
		}
		return notFilter{f: f}, nil
	}
	t, ok := p.peek()
	if !ok {
		return nil, errors.New("unexpected end of filter")
	}
	if !t.quoted && strings.HasPrefix(t.text, "-") && len(t.text) > 1 {
		p.toks[p.pos].text = t.text[1:]
		f, err := p.term()
		if err != nil {
			return nil, err
		}
		return notFilter{f: f}, nil
	}
	if !t.quoted && t.text == "(" {
		p.pos++
		f, err := p.sequence()
		if err != nil {
			return nil, err
		}
		if !p.keyword(")") {
			return nil, errors.New("missing ')'")
		}
		return f, nil
	}
	return p.comparison()
}

var fieldPath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*$`)

func (p *filterParser) comparison() (filter, error) {
	field, _ := p.peek()
	if field.quoted || !fieldPath.MatchString(field.text) {
		return nil, errors.Errorf("%q is not a field name", field.text)
	}
	p.pos++
	opTok, ok := p.peek()
	if !ok || opTok.quoted {
		return nil, errors.Errorf("expected an operator after %q", field.text)
	}
	op := opTok.text
	switch op {
	case "=", "!=", ":", "<", "<=", ">", ">=", "eq", "ne":
	default:
		return nil, errors.Errorf("%q is not an operator", op)
	}
	p.pos++
	val, ok := p.peek()
	if !ok || (!val.quoted && (val.text == "(" || val.text == ")")) {
		return nil, errors.Errorf("expected a value after %s %s", field.text, op)
	}
	p.pos++
	f := cmpFilter{path: strings.Split(field.text, "."), op: op, value: val.text}
	var err error
	switch op {
	case "eq", "ne":
		f.re, err = regexp.Compile("^(?:" + val.text + ")$")
		if err != nil {
			return nil, errors.Wrapf(err, "invalid regular expression %q", val.text)
		}
	case "=", "!=", ":":
		f.re = globRegexp(val.text)
	}
	return f, nil
}

// globRegexp matches a value where * stands for any run of characters.
func globRegexp(v string) *regexp.Regexp {
	parts := strings.Split(v, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

// filterError is the error Google returns for a filter it cannot parse.
func filterError(expr string, err error) *apiError {
	return errInvalid("Invalid value for field 'filter': '%s'. Invalid list filter expression: %s.", expr, err)
}

// page returns the slice of items one list call returns, and the token for
// the next page. Tokens are offsets; maxResults bounds the page (500 at most
// and by default, as Compute Engine does).
func page[T any](items []T, maxResults, token string) ([]T, string, *apiError) {
	size := 500
	if maxResults != "" {
		n, err := strconv.Atoi(maxResults)
		if err != nil || n < 0 {
			return nil, "", errInvalid("Invalid value for field 'maxResults': '%s'. Must be a non-negative integer.", maxResults)
		}
		if n > 0 && n < size {
			size = n
		}
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", errInvalid("Invalid value for field 'pageToken': '%s'.", token)
		}
		start = n
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = fmt.Sprint(end)
	}
	return items[start:end], next, nil
}
