package importer

import (
	"fmt"
	"strings"

	"github.com/prefer-dev/prefer/internal/annotation"
)

// readPairs reads prefer's own format, with or without judgments.
func readPairs(o *object, ps *problems) annotation.PairInput {
	onlyFields(o, ps, "prompt", "responses", "id", "tags", "meta", "judgments")
	var p annotation.PairInput
	if v, ok := required(o, "prompt", ps); ok {
		p.Prompt = readPrompt(v, ps)
	}
	if v, ok := required(o, "responses", ps); ok {
		p.A, p.B = readTwo(v, ps)
	}
	if v, ok := o.get("id"); ok && !v.isNull() {
		p.ExternalID = readID(v, ps)
	}
	if v, ok := o.get("tags"); ok && !v.isNull() {
		p.Tags = readTags(v, ps)
	}
	if v, ok := o.get("meta"); ok {
		p.Meta = readMeta(v, ps)
	}
	if v, ok := o.get("judgments"); ok && !v.isNull() {
		p.Judgments = readJudgments(v, ps)
	}
	return p
}

// readTwo reads the responses list: exactly two non-empty responses.
func readTwo(v value, ps *problems) (a, b annotation.Response) {
	elems, err := v.list()
	if err != nil {
		ps.add(v.errorf("must hold exactly two responses, found %s", v.kind()))
		return a, b
	}
	if len(elems) != 2 {
		ps.add(v.errorf("must hold exactly two responses, found %d", len(elems)))
		return a, b
	}
	before := len(ps.list)
	a = readResponse(elems[0], ps)
	b = readResponse(elems[1], ps)
	if len(ps.list) > before {
		return a, b
	}
	for i, r := range []annotation.Response{a, b} {
		if strings.TrimSpace(r.Text) == "" {
			ps.add(elems[i].errorf("the response text is empty"))
		}
	}
	return a, b
}

// readTRL reads {prompt, chosen, rejected}: three strings, or a conversation
// and two lists of assistant messages.
func (rd *reader) readTRL(o *object, ps *problems) annotation.PairInput {
	pv, _ := required(o, "prompt", ps)
	cv, okC := required(o, "chosen", ps)
	rv, okR := required(o, "rejected", ps)
	if !ps.ok() || !okC || !okR {
		return annotation.PairInput{}
	}
	prompt := readPrompt(pv, ps)
	chosen := readCompletion(cv, prompt.IsConversation(), ps)
	rejected := readCompletion(rv, prompt.IsConversation(), ps)
	if !ps.ok() {
		return annotation.PairInput{}
	}
	if isTranscript(prompt.Text) {
		prompt, chosen, rejected = transcriptPrompt(prompt, chosen, rejected)
	}
	rd.warnEmpty(chosen, rejected, cv, rv)
	p := rd.labelled(prompt, chosen, rejected)
	rd.common(o, &p, ps, "prompt", "chosen", "rejected")
	return p
}

// transcriptPrompt turns an HH-RLHF transcript prompt, which ends with an
// empty assistant turn for the completions to fill, into a conversation.
func transcriptPrompt(prompt annotation.Prompt, chosen, rejected annotation.Response,
) (annotation.Prompt, annotation.Response, annotation.Response) {
	msgs, ok := splitTranscript(prompt.Text)
	if n := len(msgs); ok && msgs[n-1].Role == "assistant" && msgs[n-1].Content == "" {
		msgs = msgs[:n-1]
	}
	if !ok || len(msgs) == 0 {
		return prompt, chosen, rejected
	}
	chosen.Text = strings.TrimSpace(chosen.Text)
	rejected.Text = strings.TrimSpace(rejected.Text)
	return annotation.Prompt{Messages: msgs}, chosen, rejected
}

// readCompletion reads chosen or rejected of an explicit-prompt TRL row.
func readCompletion(v value, conversation bool, ps *problems) annotation.Response {
	if !conversation {
		if !v.isString() {
			ps.add(v.errorf("must be a string like the prompt, found %s", v.kind()))
			return annotation.Response{}
		}
		s, _ := v.str()
		return annotation.Response{Text: s}
	}
	if !v.isList() {
		ps.add(v.errorf("must be a list of assistant messages like the prompt, found %s",
			v.kind()))
		return annotation.Response{}
	}
	msgs := readMessages(v, ps)
	if len(msgs) == 0 && ps.ok() {
		ps.add(v.errorf("holds no messages"))
	}
	for _, m := range msgs {
		if m.Role != "assistant" {
			ps.add(v.errorf("must hold assistant messages only, found role %q", m.Role))
			break
		}
	}
	return annotation.Response{Text: joinTurns(msgs)}
}

// readImplicit reads {chosen, rejected} whose shared beginning is the
// prompt: HH-RLHF transcripts, conversations, or plain strings.
func (rd *reader) readImplicit(o *object, ps *problems) annotation.PairInput {
	cv, okC := required(o, "chosen", ps)
	rv, okR := required(o, "rejected", ps)
	if !okC || !okR {
		return annotation.PairInput{}
	}
	var (
		prompt           annotation.Prompt
		chosen, rejected annotation.Response
		err              *Error
	)
	switch {
	case cv.isList() && rv.isList():
		c, r := readMessages(cv, ps), readMessages(rv, ps)
		if !ps.ok() {
			return annotation.PairInput{}
		}
		prompt, chosen, rejected, err = splitConversations(c, r, o.value, rd)
	case cv.isString() && rv.isString():
		c, _ := cv.str()
		r, _ := rv.str()
		prompt, chosen, rejected, err = splitStrings(c, r, o.value, rd)
	default:
		err = cv.errorf("chosen and rejected must both be strings or both lists of "+
			"messages, found %s and %s", cv.kind(), rv.kind())
	}
	if err != nil {
		ps.add(err)
		return annotation.PairInput{}
	}
	rd.warnEmpty(chosen, rejected, cv, rv)
	p := rd.labelled(prompt, chosen, rejected)
	rd.common(o, &p, ps, "chosen", "rejected")
	return p
}

// common reads the optional id and tags of a published row and keeps its
// other fields, beyond those in used, as meta.
func (rd *reader) common(o *object, p *annotation.PairInput, ps *problems, used ...string) {
	if v, ok := o.get("id"); ok && !v.isNull() {
		p.ExternalID = readID(v, ps)
	}
	if v, ok := o.get("tags"); ok && !v.isNull() {
		p.Tags = readTags(v, ps)
	}
	p.Meta = metaOf(o, append(used, "id", "tags")...)
}

// labelled makes a pair from a preference row. The chosen response goes to
// a or b by a hash of the content, so that a re-import gives the same pair
// and annotators do not learn that a is usually the better one. The file's
// label is kept as a judgment by the source, never by a person.
func (rd *reader) labelled(prompt annotation.Prompt, chosen, rejected annotation.Response,
) annotation.PairInput {
	p := annotation.PairInput{Prompt: prompt, A: chosen, B: rejected}
	choice := annotation.ChoiceA
	if h := p.ContentHash(); strings.IndexByte("13579bdf", h[len(h)-1]) >= 0 {
		p.A, p.B = rejected, chosen
		choice = annotation.ChoiceB
	}
	p.Judgments = []annotation.JudgmentInput{{
		Annotator: rd.opts.Source, Source: true, Choice: choice,
	}}
	return p
}

// readPandaLM reads a PandaLM row: three people's verdicts 0 (tie),
// 1 (response1) or 2 (response2).
func (rd *reader) readPandaLM(o *object, ps *problems) annotation.PairInput {
	var p annotation.PairInput
	instruction, _ := required(o, "instruction", ps)
	r1, ok1 := required(o, "response1", ps)
	r2, ok2 := required(o, "response2", ps)
	if !ps.ok() || !ok1 || !ok2 {
		return p
	}

	p.Prompt = rd.instructionPrompt(instruction, o, ps)
	for _, r := range []struct {
		v    value
		resp *annotation.Response
	}{{r1, &p.A}, {r2, &p.B}} {
		text, converted := scalarText(r.v, ps)
		if converted {
			rd.warn(r.v.errorf("%s, not text; read as %q", r.v.kind(), text))
		}
		r.resp.Text = text
	}
	if v, ok := o.get("cmp_key"); ok {
		if key, err := v.str(); err == nil {
			p.A.Model, p.B.Model, _ = strings.Cut(key, "_")
		}
	}
	if v, ok := o.get("idx"); ok && !v.isNull() {
		p.ExternalID = readID(v, ps)
	}
	p.Judgments = pandaJudgments(o, ps)
	p.Meta = metaOf(o, pandaFields(o)...)
	rd.warnEmpty(p.A, p.B, r1, r2)
	return p
}

// pandaFields lists the fields a PandaLM row is read from; the rest is meta.
func pandaFields(o *object) []string {
	used := []string{"idx", "instruction", "input", "response1", "response2"}
	for _, m := range o.members {
		if strings.HasPrefix(m.name, "annotator") {
			used = append(used, m.name)
		}
	}
	return used
}

// pandaJudgments reads annotator1, annotator2, ... in order.
func pandaJudgments(o *object, ps *problems) []annotation.JudgmentInput {
	var js []annotation.JudgmentInput
	for i := 1; ; i++ {
		name := fmt.Sprintf("annotator%d", i)
		v, ok := o.get(name)
		if !ok {
			return js
		}
		n, err := v.integer()
		choices := []annotation.Choice{annotation.ChoiceTie, annotation.ChoiceA, annotation.ChoiceB}
		if err == nil && (n < 0 || n > 2) {
			err = v.errorf("%d is not 0 (tie), 1 (response1) or 2 (response2)", n)
		}
		if err != nil {
			ps.add(err)
			continue
		}
		js = append(js, annotation.JudgmentInput{Annotator: "pandalm:" + name, Choice: choices[n]})
	}
}

// instructionPrompt joins an instruction and its optional input.
func (rd *reader) instructionPrompt(v value, o *object, ps *problems) annotation.Prompt {
	instruction, err := v.str()
	ps.add(err)
	text := instruction
	if iv, ok := o.get("input"); ok && !iv.isNull() {
		input, err := iv.str()
		ps.add(err)
		if strings.TrimSpace(input) != "" {
			text = instruction + "\n\n" + input
		}
	}
	if err == nil && strings.TrimSpace(text) == "" {
		ps.add(v.errorf("the prompt is empty"))
	}
	return annotation.Prompt{Text: text}
}

// readLLMBar reads an LLMBar row: output_1 or output_2 is better (label).
// The file's name becomes a tag, as it names the LLMBar subset.
func (rd *reader) readLLMBar(o *object, ps *problems) annotation.PairInput {
	iv, _ := required(o, "input", ps)
	v1, _ := required(o, "output_1", ps)
	v2, _ := required(o, "output_2", ps)
	lv, _ := required(o, "label", ps)
	if !ps.ok() {
		return annotation.PairInput{}
	}
	var p annotation.PairInput
	p.Prompt = readPrompt(iv, ps)
	p.A = readResponse(v1, ps)
	p.B = readResponse(v2, ps)
	label, err := lv.integer()
	if err == nil && label != 1 && label != 2 {
		err = lv.errorf("label %d is not 1 (output_1 better) or 2 (output_2 better)", label)
	}
	ps.add(err)
	if !ps.ok() {
		return p
	}
	choice := annotation.ChoiceA
	if label == 2 {
		choice = annotation.ChoiceB
	}
	p.Judgments = []annotation.JudgmentInput{{Annotator: rd.opts.Source, Source: true, Choice: choice}}
	rd.warnEmpty(p.A, p.B, v1, v2)
	rd.common(o, &p, ps, "input", "output_1", "output_2", "label")
	p.Tags = addTags(p.Tags, stem(rd.name))
	return p
}

// readMapped reads a record through Options.Map. Fields not mapped are kept
// as meta.
func (rd *reader) readMapped(o *object, ps *problems) annotation.PairInput {
	m := rd.opts.Map
	get := func(target string) (value, bool) {
		name, mapped := m[target]
		if !mapped {
			return value{}, false
		}
		v, ok := o.get(name)
		if ok && !v.isNull() {
			return v, true
		}
		if target == "prompt" || target == "a" || target == "b" {
			ps.add(&Error{Line: o.line, Field: o.child(name),
				Msg: fmt.Sprintf("missing (mapped to %s)", target)})
		}
		return value{}, false
	}

	var p annotation.PairInput
	if v, ok := get("prompt"); ok {
		p.Prompt = readPrompt(v, ps)
	}
	va, okA := get("a")
	if okA {
		p.A = readResponse(va, ps)
	}
	vb, okB := get("b")
	if okB {
		p.B = readResponse(vb, ps)
	}
	if v, ok := get("id"); ok {
		p.ExternalID = readID(v, ps)
	}
	if v, ok := get("tags"); ok {
		p.Tags = readTags(v, ps)
	}
	if v, ok := get("model_a"); ok {
		p.A.Model = readNonBlank(v, ps)
	}
	if v, ok := get("model_b"); ok {
		p.B.Model = readNonBlank(v, ps)
	}
	used := make([]string, 0, len(m))
	for _, name := range m {
		used = append(used, name)
	}
	p.Meta = metaOf(o, used...)
	if okA && okB && ps.ok() {
		rd.warnEmpty(p.A, p.B, va, vb)
	}
	return p
}
