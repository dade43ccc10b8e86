package datarightsextension

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForms(t *testing.T) {
	tok := func(s string) string { return "hmac:" + s }
	f := newForms(tok, 0, 0, []string{"r1", "r2", "r3"}, []string{"user-7", "alice.smith@example.com", "---"})
	assert.Equal(t, []string{"r1", "r1", "r2", "r2", "r3", "r3"}, f.owners)
	assert.Equal(t, []string{"user-7", "hmac:user-7", "alice.smith@example.com", "hmac:alice.smith@example.com", "---", "hmac:---"}, f.ids)
	assert.Equal(t, []string{"user", "example"}, f.tokens, "one token per id, the longest; none for an id without letters or digits")
	// A prefix the batch's ids share is no prefilter: each id's own token is.
	f2 := newForms(tok, 0, 0, []string{"r1", "r2"}, []string{"user-5000", "user-5001"})
	assert.Equal(t, []string{"5000", "5001"}, f2.tokens)
	assert.Equal(t, fullRangeTo, f.to)
	re := regexp.MustCompile(f.patterns[0])
	assert.True(t, re.MatchString("checkout failed for user-7"))
	assert.True(t, re.MatchString("https://x/users/user-7/cart"))
	assert.False(t, re.MatchString("checkout failed for user-77"))
	assert.False(t, re.MatchString("xuser-7"))
	assert.Empty(t, f.patterns[1], "tokens are found through the subject index")
	// The predicate's one alternation: each id as a whole word, nothing else.
	all := f.predPatterns()
	require.Len(t, all, 1)
	one := regexp.MustCompile(all[0])
	for _, text := range []string{"checkout failed for user-7", "mail alice.smith@example.com!", "--- x", "x ---"} {
		assert.True(t, one.MatchString(text), text)
	}
	for _, text := range []string{"user-77", "alice.smith@example.comx", "aliceXsmith@example.com", "xuser-7"} {
		assert.False(t, one.MatchString(text), text)
	}

	empty := newForms(tok, 5, 9, nil, nil)
	assert.Equal(t, []string{noToken}, empty.predTokens())
	assert.Equal(t, []string{noPattern}, empty.predPatterns())
	assert.False(t, regexp.MustCompile(noPattern).MatchString("anything at all"))
	assert.EqualValues(t, 9, empty.to)
}
