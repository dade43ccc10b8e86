package detect

import "testing"

func TestEmail(t *testing.T) {
	run(t, Email{}, []string{
		"«user@example.com»",
		"contact «John.Doe+tag@mail.example.co.uk», thanks",
		"from=<«a_b-c%d@sub-domain.example.org»>",
		"mailto:«jane@example.com»",
		`{"email":"«x.y@example.io»"}`,
		"two: «a@example.com» and «b@example.net».",
		"«UPPER@EXAMPLE.COM»",
		"«josé@example.com»",
		"an «émile.müller@example.de» here",
		// look-alikes
		"icon@2x.png",
		"npm i @scope/pkg@1.2.3",
		"image@sha256:abcdef",
		"user@localhost",
		"@mention in chat",
		"a@b",
		"https://bob@example.com/path",
		"https://user:secret@example.com/",
		"x@-bad.com",
		"trailing.@example.com",
		"a@«b.co@x.com»",
	})
}
