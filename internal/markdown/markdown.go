// Package markdown turns user-supplied markdown into HTML that is safe to
// embed in a page: goldmark renders it, bluemonday keeps only harmless
// elements and attributes.
package markdown

import (
	"bytes"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	renderer = goldmark.New(goldmark.WithExtensions(extension.GFM))
	policy   = newPolicy()
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	// Keep the language class goldmark puts on fenced code blocks.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#-]+$`)).OnElements("code")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// Render returns sanitised HTML for src. Raw HTML in src is escaped by
// goldmark and anything that slips through is removed by the sanitiser.
func Render(src string) string {
	var buf bytes.Buffer
	if err := renderer.Convert([]byte(src), &buf); err != nil {
		// goldmark only fails when writing to the buffer fails; fall back to
		// escaped text rather than lose the content.
		return policy.Sanitize("<pre>" + bluemonday.StrictPolicy().Sanitize(src) + "</pre>")
	}
	return policy.SanitizeReader(&buf).String()
}
