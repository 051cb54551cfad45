package importer

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// roles a chat message may have.
var roles = map[string]bool{"system": true, "user": true, "assistant": true}

// required returns the member called name or notes that it is missing.
func required(o *object, name string, ps *problems) (value, bool) {
	v, ok := o.get(name)
	if !ok || v.isNull() {
		ps.add(&Error{Line: o.line, Field: o.child(name), Msg: "missing"})
		return value{}, false
	}
	return v, true
}

// onlyFields notes every member of o not in known.
func onlyFields(o *object, ps *problems, known ...string) {
	for _, m := range o.members {
		ok := false
		for _, k := range known {
			ok = ok || m.name == k
		}
		if !ok {
			ps.add(m.errorf("unknown field (known: %s)", strings.Join(known, ", ")))
		}
	}
}

// readPrompt reads a prompt: a non-blank string or a list of messages.
func readPrompt(v value, ps *problems) annotation.Prompt {
	if v.isList() {
		msgs := readMessages(v, ps)
		if len(msgs) == 0 && ps.ok() {
			ps.add(v.errorf("the conversation holds no messages"))
		}
		return annotation.Prompt{Messages: msgs}
	}
	if !v.isString() {
		ps.add(v.errorf("must be a string or a list of {role, content} messages, found %s",
			v.kind()))
		return annotation.Prompt{}
	}
	s, err := v.str()
	ps.add(err)
	if err == nil && strings.TrimSpace(s) == "" {
		ps.add(v.errorf("the prompt is empty"))
	}
	return annotation.Prompt{Text: s}
}

// readMessages reads a list of {role, content} chat messages. Other fields
// of a message, such as "name", are ignored.
func readMessages(v value, ps *problems) []annotation.Message {
	elems, err := v.list()
	if err != nil {
		ps.add(err)
		return nil
	}
	msgs := make([]annotation.Message, 0, len(elems))
	for _, e := range elems {
		m, ok := readMessage(e, ps)
		if ok {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

func readMessage(v value, ps *problems) (annotation.Message, bool) {
	o, err := v.object()
	if err != nil {
		ps.add(v.errorf("a message must be an object {role, content}, found %s", v.kind()))
		return annotation.Message{}, false
	}
	rv, okRole := required(o, "role", ps)
	cv, okContent := required(o, "content", ps)
	if !okRole || !okContent {
		return annotation.Message{}, false
	}
	role, err := rv.str()
	if err == nil && !roles[role] {
		err = rv.errorf("role %q is not one of system, user, assistant", role)
	}
	ps.add(err)
	content, cerr := cv.str()
	ps.add(cerr)
	return annotation.Message{Role: role, Content: content}, err == nil && cerr == nil
}

// readResponse reads a response: a string or {text | content, model?}.
func readResponse(v value, ps *problems) annotation.Response {
	if v.isString() {
		s, err := v.str()
		ps.add(err)
		return annotation.Response{Text: s}
	}
	o, err := v.object()
	if err != nil {
		ps.add(v.errorf("a response must be a string or {text, model}, found %s", v.kind()))
		return annotation.Response{}
	}
	onlyFields(o, ps, "text", "content", "model")
	tv, hasText := o.get("text")
	cv, hasContent := o.get("content")
	switch {
	case hasText && hasContent:
		ps.add(v.errorf("give text or content, not both"))
		return annotation.Response{}
	case hasContent:
		tv = cv
	case !hasText:
		ps.add(v.errorf("a response needs text (or content)"))
		return annotation.Response{}
	}
	var r annotation.Response
	r.Text, err = tv.str()
	ps.add(err)
	if mv, ok := o.get("model"); ok && !mv.isNull() {
		r.Model, err = mv.str()
		ps.add(err)
	}
	return r
}

// readID reads an id given as a string or a number.
func readID(v value, ps *problems) string {
	if v.isNumber() {
		return string(v.raw)
	}
	s, err := v.str()
	if err != nil {
		ps.add(v.errorf("an id must be a string or a number, found %s", v.kind()))
		return ""
	}
	if strings.TrimSpace(s) == "" {
		ps.add(v.errorf("the id is empty"))
	}
	return s
}

// readTags reads a list of non-empty strings.
func readTags(v value, ps *problems) []string {
	elems, err := v.list()
	if err != nil {
		ps.add(v.errorf("tags must be a list of strings, found %s", v.kind()))
		return nil
	}
	tags := make([]string, 0, len(elems))
	for _, e := range elems {
		s, err := e.str()
		if err == nil && strings.TrimSpace(s) == "" {
			err = e.errorf("a tag is empty")
		}
		ps.add(err)
		tags = append(tags, s)
	}
	return addTags(nil, tags...)
}

// readMeta keeps a JSON object as it is, compacted.
func readMeta(v value, ps *problems) json.RawMessage {
	if v.isNull() {
		return nil
	}
	if !v.isObject() {
		ps.add(v.errorf("meta must be an object, found %s", v.kind()))
		return nil
	}
	if bytes.Contains(v.raw, []byte(`\u0000`)) {
		ps.add(v.errorf("holds a NUL character (\\u0000), which cannot be stored"))
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, v.raw); err != nil {
		ps.add(v.errorf("bad meta: %v", err))
		return nil
	}
	return b.Bytes()
}

// metaOf builds a meta object from the members of o not in used, or nil.
func metaOf(o *object, used ...string) json.RawMessage {
	skip := make(map[string]bool, len(used))
	for _, u := range used {
		skip[u] = true
	}
	var b bytes.Buffer
	for _, m := range o.members {
		if skip[m.name] {
			continue
		}
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(m.name)
		b.Write(name)
		b.WriteByte(':')
		json.Compact(&b, m.raw)
	}
	if b.Len() == 0 {
		return nil
	}
	b.WriteByte('}')
	return b.Bytes()
}

// readJudgments reads [{annotator, choice, strength?, rationale?, source?}].
func readJudgments(v value, ps *problems) []annotation.JudgmentInput {
	elems, err := v.list()
	if err != nil {
		ps.add(v.errorf("judgments must be a list of {annotator, choice}, found %s", v.kind()))
		return nil
	}
	var js []annotation.JudgmentInput
	who := map[string]bool{}
	for _, e := range elems {
		j, ok := readJudgment(e, ps)
		if !ok {
			continue
		}
		if who[j.Annotator] {
			ps.add(e.errorf("annotator %q judges this pair twice", j.Annotator))
			continue
		}
		who[j.Annotator] = true
		js = append(js, j)
	}
	return js
}

func readJudgment(v value, ps *problems) (annotation.JudgmentInput, bool) {
	o, err := v.object()
	if err != nil {
		ps.add(v.errorf("a judgment must be an object {annotator, choice}, found %s", v.kind()))
		return annotation.JudgmentInput{}, false
	}
	before := len(ps.list)
	onlyFields(o, ps, "annotator", "choice", "strength", "rationale", "source")
	var j annotation.JudgmentInput
	if av, ok := required(o, "annotator", ps); ok {
		j.Annotator = readNonBlank(av, ps)
	}
	if cv, ok := required(o, "choice", ps); ok {
		j.Choice = readChoice(cv, ps)
	}
	if sv, ok := o.get("strength"); ok && !sv.isNull() {
		j.Strength = readStrength(sv, j.Choice, ps)
	}
	if rv, ok := o.get("rationale"); ok && !rv.isNull() {
		j.Rationale, err = rv.str()
		ps.add(err)
	}
	if sv, ok := o.get("source"); ok && !sv.isNull() {
		j.Source = readBool(sv, ps)
	}
	return j, len(ps.list) == before
}

func readNonBlank(v value, ps *problems) string {
	s, err := v.str()
	if err == nil && strings.TrimSpace(s) == "" {
		err = v.errorf("is empty")
	}
	ps.add(err)
	return s
}

func readBool(v value, ps *problems) bool {
	switch string(v.raw) {
	case "true":
		return true
	case "false":
		return false
	}
	ps.add(v.errorf("must be true or false, found %s", v.kind()))
	return false
}

func readChoice(v value, ps *problems) annotation.Choice {
	s, err := v.str()
	if err != nil {
		ps.add(err)
		return ""
	}
	c := annotation.Choice(s)
	if !c.Valid() {
		ps.add(v.errorf("choice %q is not one of a, b, tie, both_bad", s))
	}
	return c
}

// strengthWords are the words a strength may be given as.
var strengthWords = map[string]annotation.Strength{
	"slightly": annotation.StrengthSlightly,
	"clearly":  annotation.StrengthClearly,
	"much":     annotation.StrengthMuch,
}

// readStrength reads 1..3 or slightly, clearly, much (optionally followed by
// "better"); 0 means not given. Only a and b may carry one.
func readStrength(v value, c annotation.Choice, ps *problems) annotation.Strength {
	var s annotation.Strength
	if v.isString() {
		word, _ := v.str()
		w, ok := strengthWords[strings.TrimSuffix(strings.ToLower(word), " better")]
		if !ok {
			ps.add(v.errorf("strength %q is not one of slightly, clearly, much", word))
			return 0
		}
		s = w
	} else {
		n, err := v.integer()
		if err == nil && !annotation.Strength(n).Valid() {
			err = v.errorf("strength %d is outside 1..3", n)
		}
		if err != nil {
			ps.add(err)
			return 0
		}
		s = annotation.Strength(n)
	}
	if s != annotation.StrengthNone && (c == annotation.ChoiceTie || c == annotation.ChoiceBothBad) {
		ps.add(v.errorf("a strength is only given with choice a or b, not %s", c))
	}
	return s
}

// scalarText reads a string, or writes a boolean or number as its JSON
// text, for published files that hold a few such values among strings.
func scalarText(v value, ps *problems) (string, bool) {
	switch {
	case v.isString():
		s, err := v.str()
		ps.add(err)
		return s, false
	case v.isNumber(), v.kind() == "a boolean":
		return string(v.raw), true
	}
	ps.add(v.errorf("must be a string, found %s", v.kind()))
	return "", false
}

// warnEmpty notes empty response texts, which published data sets hold when
// a model answered nothing; va and vb are the fields they were read from.
func (rd *reader) warnEmpty(a, b annotation.Response, va, vb value) {
	if strings.TrimSpace(a.Text) == "" {
		rd.warn(va.errorf("the response is empty"))
	}
	if strings.TrimSpace(b.Text) == "" {
		rd.warn(vb.errorf("the response is empty"))
	}
}
