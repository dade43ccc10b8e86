// Command corpusgen writes the labelled corpus used to measure the
// precision and recall of the pii_redaction detectors
// (testdata/corpus.jsonl). It deliberately does not import the detectors:
// values are built from their specifications (Luhn, ISO 13616 mod-97, RFC
// 7519, formats of the numbering plans) with independent code, and each
// label is the exact substring a correct detector must report.
//
//	go run ./processor/piiredactionprocessor/internal/corpusgen > processor/piiredactionprocessor/testdata/corpus.jsonl
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"strings"
)

// Label is one expected finding.
type Label struct {
	Detector string `json:"detector"`
	Value    string `json:"value"`
}

// Case is one corpus line.
type Case struct {
	ID     int     `json:"id"`
	Kind   string  `json:"kind"` // "positive", "negative" or "mixed"
	Text   string  `json:"text"`
	Labels []Label `json:"labels"`
}

// item is a fragment to insert and the labels it carries.
type item struct {
	frag   string
	labels []Label
}

var rng = rand.New(rand.NewPCG(4, 2026))

func pick[T any](v []T) T { return v[rng.IntN(len(v))] }

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randStr(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// randMixed returns a random token that contains a digit, an upper and a
// lower case letter, as real generated secrets do.
func randMixed(n int) string {
	for {
		s := randStr(n, alnum)
		if strings.ContainsAny(s, "0123456789") && strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") {
			return s
		}
	}
}

func digits(n int) string {
	return randStr(n, "0123456789")
}

func one(det, v string) []Label { return []Label{{det, v}} }

func emails() []item {
	users := []string{"john.doe", "jane", "a.smith+news", "maria_garcia", "li.wei", "o'brien", "test-user", "x", "Bob.Jones", "k.mueller99", "support", "first.last-2"}
	domains := []string{"example.com", "mail.example.org", "example.co.uk", "corp.example.net", "EXAMPLE.IO", "sub.domain.example.de", "example.travel"}
	var out []item
	for range 30 {
		u := pick(users)
		if strings.Contains(u, "'") {
			u = strings.ReplaceAll(u, "'", "")
		}
		v := u + "@" + pick(domains)
		out = append(out, item{v, one("email", v)})
	}
	return out
}

func phones() []item {
	var out []item
	nxx := func() string { return fmt.Sprintf("%d%s", 2+rng.IntN(8), digits(2)) }
	for range 30 {
		a, b, c := nxx(), nxx(), digits(4)
		var v string
		switch rng.IntN(12) {
		case 0:
			v = "+1" + a + b + c
		case 1:
			v = "+1 " + a + " " + b + " " + c
		case 2:
			v = "+1 (" + a + ") " + b + "-" + c
		case 3:
			v = "(" + a + ") " + b + "-" + c
		case 4:
			v = a + "-" + b + "-" + c
		case 5:
			v = a + "." + b + "." + c
		case 6:
			v = "1-" + a + "-" + b + "-" + c
		case 7:
			v = "+44 20 " + digits(4) + " " + digits(4)
		case 8:
			v = "+33 6 " + digits(2) + " " + digits(2) + " " + digits(2) + " " + digits(2)
		case 9:
			v = "+49 30 " + digits(7)
		case 10:
			v = "0" + fmt.Sprint(1+rng.IntN(9)) + digits(1) + " " + digits(4) + " " + digits(4)
		case 11:
			v = "06 " + digits(2) + " " + digits(2) + " " + digits(2) + " " + digits(2)
		}
		out = append(out, item{v, one("phone", v)})
	}
	return out
}

func ssns() []item {
	var out []item
	for range 25 {
		area := 1 + rng.IntN(899)
		if area == 666 {
			area = 667
		}
		v := fmt.Sprintf("%03d-%02d-%04d", area, 1+rng.IntN(99), 1+rng.IntN(9999))
		if rng.IntN(5) == 0 {
			v = strings.ReplaceAll(v, "-", " ")
		}
		out = append(out, item{v, one("ssn", v)})
	}
	return out
}

// luhnComplete appends the check digit to a partial number.
func luhnComplete(partial string) string {
	sum := 0
	for i := 0; i < len(partial); i++ {
		d := int(partial[len(partial)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return partial + fmt.Sprint((10-sum%10)%10)
}

func cards() []item {
	type brand struct {
		prefix string
		length int
	}
	brands := []brand{{"4", 16}, {"4", 13}, {"51", 16}, {"55", 16}, {"2221", 16}, {"34", 15}, {"37", 15}, {"6011", 16}, {"65", 16}, {"3530", 16}, {"36", 14}, {"62", 16}, {"4", 19}}
	var out []item
	for range 30 {
		b := pick(brands)
		n := luhnComplete(b.prefix + digits(b.length-len(b.prefix)-1))
		v := n
		switch rng.IntN(3) {
		case 1, 2:
			sep := pick([]string{" ", "-"})
			var groups []string
			if b.length == 15 {
				groups = []string{n[:4], n[4:10], n[10:]}
			} else {
				for i := 0; i < len(n); i += 4 {
					groups = append(groups, n[i:min(i+4, len(n))])
				}
			}
			v = strings.Join(groups, sep)
		}
		if b.length%4 != 0 && b.length != 15 {
			v = n
		}
		out = append(out, item{v, one("card", v)})
	}
	return out
}

// ibanCheck computes the two ISO 13616 check digits with math/big.
func ibanCheck(country, bban string) string {
	var sb strings.Builder
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			sb.WriteString(fmt.Sprint(int(c-'A') + 10))
		} else {
			sb.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(sb.String(), 10)
	r := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 98-r)
}

func ibans() []item {
	type shape struct{ country, bban string } // bban: n digit, A upper, c alnum-upper
	shapes := []shape{{"DE", "nnnnnnnnnnnnnnnnnn"}, {"GB", "AAAAnnnnnnnnnnnnnn"}, {"FR", "nnnnnnnnnnnnnnnnnnnnnnn"}, {"NL", "AAAAnnnnnnnnnn"}, {"ES", "nnnnnnnnnnnnnnnnnnnn"}, {"IT", "Annnnnnnnnnnnnnnnnnnnnn"}, {"BE", "nnnnnnnnnnnn"}, {"CH", "nnnnnnnnnnnnnnnnn"}, {"PL", "nnnnnnnnnnnnnnnnnnnnnnnn"}, {"NO", "nnnnnnnnnnn"}}
	var out []item
	for range 25 {
		s := pick(shapes)
		var b strings.Builder
		for _, c := range s.bban {
			switch c {
			case 'n':
				b.WriteByte("0123456789"[rng.IntN(10)])
			case 'A':
				b.WriteByte(byte('A' + rng.IntN(26)))
			}
		}
		iban := s.country + ibanCheck(s.country, b.String()) + b.String()
		v := iban
		if rng.IntN(2) == 0 {
			var g []string
			for i := 0; i < len(iban); i += 4 {
				g = append(g, iban[i:min(i+4, len(iban))])
			}
			v = strings.Join(g, " ")
		}
		out = append(out, item{v, one("iban", v)})
	}
	return out
}

func ips() []item {
	var out []item
	for range 20 {
		// Loopback (127/8) and unspecified addresses identify no one and
		// are not labelled.
		first := 1 + rng.IntN(223)
		if first == 127 {
			first = 128
		}
		v := fmt.Sprintf("%d.%d.%d.%d", first, rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
		out = append(out, item{v, one("ip", v)})
	}
	v6 := []string{"2001:db8::1", "2001:db8:85a3::8a2e:370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fe80::1ff:fe23:4567:890a", "::ffff:192.0.2.128", "2a00:1450:4001:81c::200e", "2606:4700:4700::1111", "fd12:3456:789a:1::1"}
	for _, v := range v6 {
		out = append(out, item{v, one("ip", v)})
	}
	return out
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func jwts() []item {
	var out []item
	for range 20 {
		h := fmt.Sprintf(`{"alg":"%s","typ":"JWT"}`, pick([]string{"HS256", "RS256", "ES256"}))
		if rng.IntN(4) == 0 {
			h = fmt.Sprintf(`{"typ":"JWT","alg":"RS256","kid":"%s"}`, randStr(8, alnum))
		}
		p := fmt.Sprintf(`{"sub":"%s","iat":%d,"exp":%d}`, digits(8), 1700000000+rng.IntN(1e6), 1800000000+rng.IntN(1e6))
		sig := base64.RawURLEncoding.EncodeToString([]byte(randStr(32, alnum)))
		v := b64(h) + "." + b64(p) + "." + sig
		out = append(out, item{v, one("jwt", v)})
	}
	return out
}

func bearers() []item {
	var out []item
	for range 15 {
		tok := randMixed(24 + rng.IntN(20))
		if rng.IntN(3) == 0 {
			tok = randMixed(8) + "." + randMixed(10) + "-" + randMixed(6)
		}
		prefix := pick([]string{"Authorization: Bearer ", "bearer ", "Bearer ", "BEARER "})
		out = append(out, item{prefix + tok, one("bearer", tok)})
	}
	for range 8 {
		cred := base64.StdEncoding.EncodeToString([]byte(pick([]string{"admin", "svc-user", "bob"}) + ":" + randMixed(10)))
		out = append(out, item{"Authorization: Basic " + cred, one("bearer", cred)})
	}
	return out
}

func secrets() []item {
	var out []item
	vendor := func() string {
		switch rng.IntN(7) {
		case 0:
			return "sk_live_" + randMixed(24)
		case 1:
			return "AKIA" + randStr(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
		case 2:
			return "ghp_" + randMixed(36)
		case 3:
			return "xoxb-" + digits(12) + "-" + digits(13) + "-" + randMixed(24)
		case 4:
			return "AIza" + randMixed(35)
		case 5:
			return "glpat-" + randMixed(20)
		default:
			return "sk_test_" + randMixed(24)
		}
	}
	for range 20 {
		v := vendor()
		out = append(out, item{v, one("secret", v)})
	}
	keys := []string{"password", "api_key", "apiKey", "client_secret", "DB_PASSWORD", "secret", "access_token", "x-api-key", "passwd", "auth_token"}
	for range 20 {
		k := pick(keys)
		v := randMixed(10 + rng.IntN(10))
		switch rng.IntN(3) {
		case 0:
			out = append(out, item{k + "=" + v, one("secret", v)})
		case 1:
			out = append(out, item{k + ": " + v, one("secret", v)})
		default:
			out = append(out, item{`"` + k + `":"` + v + `"`, one("secret", v)})
		}
	}
	return out
}

func urlCreds() []item {
	var out []item
	for range 20 {
		user := pick([]string{"admin", "app", "svc_reader", "root", "", "deploy"})
		ui := user + ":" + randMixed(12)
		v := pick([]string{"postgres", "mysql", "redis", "amqp", "https", "mongodb+srv"}) + "://" + ui + "@" + pick([]string{"db.internal:5432/app", "cache:6379", "mq.example.com/vhost", "example.com/path", "cluster0.example.net/test"})
		out = append(out, item{v, one("url_credentials", ui)})
	}
	return out
}

func queryParams() []item {
	var out []item
	params := []string{"token", "access_token", "password", "api_key", "sig", "client_secret", "session_id", "X-Amz-Signature", "apikey", "otp"}
	for range 25 {
		p := pick(params)
		v := randMixed(8 + rng.IntN(16))
		u := pick([]string{"/callback", "https://api.example.com/v1/items", "/reset", "http://localhost:8080/login"}) + "?page=2&" + p + "=" + v
		if rng.IntN(2) == 0 {
			u += "&lang=en"
		}
		out = append(out, item{u, one("query_param", v)})
	}
	for range 5 {
		v := pick([]string{"bob%40example.com", "jane.doe%40example.org"})
		// The parameter's value is also a (percent-encoded) e-mail address.
		out = append(out, item{"/unsubscribe?email=" + v + "&list=weekly", []Label{{"query_param", v}, {"email", v}}})
	}
	return out
}

// queryIDs are identifier query parameters (issue 19): the value of
// user_id, uid, userId, customer_id, account ... after a '?'.
func queryIDs() []item {
	var out []item
	params := []string{"user_id", "uid", "userId", "customer_id", "account_id", "accountId", "member_id", "device_id", "user"}
	for range 25 {
		p := pick(params)
		v := pick([]string{"u-", "user-", "cus_", "", "acc-"}) + digits(3+rng.IntN(6))
		u := pick([]string{"/api/orders", "https://shop.example.com/cart", "GET /v1/profile", "http://localhost:8080/export"}) + "?" +
			pick([]string{"page=2&", "", "lang=en&"}) + p + "=" + v
		if rng.IntN(2) == 0 {
			u += "&sort=desc"
		}
		out = append(out, item{u, one("query_id", v)})
	}
	return out
}

// negatives are look-alikes that must not be reported by any detector.
func negatives() []string {
	n := []string{
		"550e8400-e29b-41d4-a716-446655440000", "trace_id=4bf92f3577b34da6a3ce929d0e0e4736", "span 00f067aa0ba902b7",
		"2024-01-15T10:30:45.123Z", "2024-01-15 10:30:45", "15/01/2024", "01.02.2024", "Jan 15, 2024 10:30 AM",
		"version 2.14.3", "v1.2.3", "go1.26.8", "release-2024.01.15", "build 20240115.3",
		"order ORD-2024-000123", "invoice INV-000042-2024", "ticket #123456", "SKU 4006381333931",
		"price $1,234.56", "total 19.99 EUR", "amount=1234567.89", "discount -15.5%",
		"GET /api/v1/users/12345/orders/67890", "/var/log/app/2024/01/15/app.log", "POST /v2/checkout HTTP/1.1 200",
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "commit 3f2a9c1b7e",
		"duration=1.234s retries=3 status=200", "latency_ms=123 p99=456.7", "processed 1234567 records",
		"k8s.pod.name=checkout-7d9f8b6c5-x2x9z", "container 4f3c2b1a0e9d", "node ip-10-0-1-23.ec2.internal",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "icon@2x.png", "npm install @scope/pkg@1.2.3",
		"image ghcr.io/org/app@sha256:abcdef0123", "user@localhost", "@channel deploy done",
		"1.3.6.1.4.1.311.21.7", "10:30:45", "00:1A:2B:3C:4D:5E", "std::vector<int>", "lat=48.8566 lon=2.3522",
		"4111111111111112", "1700000000000", "1700000000123456789", "1234567890", "123-456-7890",
		"000-12-3456", "900-12-3456", "DE89370400440532013001", "XX00 1234 5678",
		"Bearer token missing", "password reset requested", "api_key=", "password: null", "token=expired",
		"next_page_token=CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA3", "secret_santa=yes", "https://example.com:8443/path",
		"/search?q=password&page=2", "/login?next=/home", "https://bob@example.com/", "eyJhbGciOiJIUzI1NiJ9",
		"ISBN 978-3-16-148410-0", "+100 points", "+05:30 offset", "room 101, floor 3", "call me maybe",
		"SELECT * FROM users WHERE id = 42", "error code 0x80070005", "retry in 30s", "cpu=0.75 mem=512Mi",
		"the quick brown fox jumps over the lazy dog", "ratio 3:2", "chapter 4.2.1", "port 5432/tcp",
	}
	return n
}

var templates = []string{
	"%s",
	"user %s logged in",
	"failed to process request for %s: timeout",
	`{"field":"%s","attempt":2}`,
	"value=<%s>",
	"(%s)",
	"[%s] done",
	"note: %s.",
	"line1\n%s\nline3",
	"'%s'",
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	id := 0
	emit := func(kind, text string, labels []Label) {
		id++
		if labels == nil {
			labels = []Label{}
		}
		if err := enc.Encode(Case{ID: id, Kind: kind, Text: text, Labels: labels}); err != nil {
			panic(err)
		}
	}
	pools := [][]item{emails(), phones(), ssns(), cards(), ibans(), ips(), jwts(), bearers(), secrets(), urlCreds(), queryParams()}
	for _, pool := range pools {
		for _, it := range pool {
			emit("positive", fmt.Sprintf(pick(templates), it.frag), it.labels)
		}
	}
	for _, n := range negatives() {
		emit("negative", n, nil)
		emit("negative", fmt.Sprintf(pick(templates[1:]), n), nil)
	}
	// Mixed records: several values of different kinds with look-alikes.
	for range 60 {
		var parts []string
		var labels []Label
		for range 2 + rng.IntN(2) {
			it := pick(pick(pools))
			parts = append(parts, it.frag)
			labels = append(labels, it.labels...)
		}
		parts = append(parts, pick(negatives()))
		rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		emit("mixed", "event: "+strings.Join(parts, " | ")+" end", labels)
	}
	// Classes added after the first corpus, appended so that the cases above
	// (and their random draws) stay what they were.
	for _, it := range queryIDs() {
		emit("positive", fmt.Sprintf(pick(templates), it.frag), it.labels)
	}
	for _, n := range []string{"/search?userid_hint=abc&page=2", "/p?user=&x=1", "user_id=u-555 outside a URL"} {
		emit("negative", n, nil)
	}
}
