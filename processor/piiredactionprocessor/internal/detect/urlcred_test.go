package detect

import "testing"

func TestURLCredentials(t *testing.T) {
	run(t, URLCredentials{}, []string{
		"postgres://«admin:s3cret»@db.internal:5432/app",
		"connect https://«user:pa%40ss»@example.com/x",
		"redis://«:hunter2»@cache:6379",
		"amqp://«guest:guest»@rabbit/",
		"https://«bob@example.com:pw»@host/", // an unescaped '@' in the user name: the last '@' ends the userinfo, as in net/url
		// look-alikes
		"https://bob@example.com/",
		"https://example.com/a:b@c",
		"https://example.com:8443/path",
		"mailto:bob@example.com",
		"ssh git@github.com:org/repo.git",
		"https://example.com/?next=http://«a:b»@c",
	})
}
