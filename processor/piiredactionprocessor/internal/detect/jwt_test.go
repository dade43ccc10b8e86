package detect

import "testing"

const testJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

func TestJWT(t *testing.T) {
	run(t, JWT{}, []string{
		"«" + testJWT + "»",
		"Authorization: Bearer «" + testJWT + "»",
		"token=«" + testJWT + "»&x=1",
		"«eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.»",
		// look-alikes
		"eyJhbGciOiJIUzI1NiJ9",
		"eyJ.eyJ.x",
		"eyJub3QiOiJhIGhlYWRlciJ9.eyJzdWIiOiIxIn0.sig",
		"xeyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.abc",
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.abc.def",
	})
}
