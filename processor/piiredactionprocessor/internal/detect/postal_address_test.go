package detect

import "testing"

func TestPostalAddress(t *testing.T) {
	run(t, PostalAddress{}, []string{
		// English
		"ship to «221B Baker Street, London NW1 6XE» by Friday",
		"customer moved to «1600 Pennsylvania Ave NW, Washington, DC 20500»",
		"«742 Evergreen Terrace, Springfield»",
		"delivered to «350 5th Ave, New York, NY 10118»",
		"«10 Downing Street» called",
		"return label for «4 Privet Drive, Little Whinging»",
		"«123 N. Main St., Apt 4B, Springfield, IL 62704»",
		"billing «1 Infinite Loop, Cupertino, CA 95014»",
		"lives in «Springfield, IL 62704»",
		"office «London SW1A 1AA»",
		"«Toronto, ON M5V 3L9»",
		// German / Austrian / Swiss
		"Lieferadresse «Hauptstraße 5, 10115 Berlin»",
		"Kunde wohnt in der «Berliner Straße 12a» seit 2019",
		"«Schillerstr. 7, 80336 München»",
		"«Lindenweg 23»",
		// French / Belgian
		"client au «12 rue de la Paix, 75002 Paris»",
		"«10, avenue des Champs-Élysées»",
		"«5 boulevard Haussmann»",
		// Spanish / Portuguese / Italian
		"«Calle Mayor, 12, 28013 Madrid»",
		"«Avenida de la Constitución 5»",
		"«Rua Augusta 274, 1100-053 Lisboa»",
		"residente in «Via Roma 10, 00184 Roma»",
		"abita in «via Garibaldi 7»",
		"«Piazza San Marco 1»",
		// Dutch / Nordic / Polish / Czech
		"klant «Kerkstraat 12, 1012 AB Amsterdam»",
		"«Storgatan 3»",
		"«ul. Marszałkowska 10, 00-950 Warszawa»",
		// Cyrillic / CJK
		"«ул. Ленина, д. 5»",
		"«〒100-0001 東京都千代田区千代田1-1»",
		"收货地址 «北京市朝阳区建国路88号»",
		"«테헤란로 152»",
		// cues
		"address: «Flat 3, 12 Queen's Gate, London»",
		`{"shipping_address":"«Hafenstraße 3, 20359 Hamburg»"}`,
		// look-alikes
		"Wall Street Journal subscription renewed",
		"Abbey Road album remastered",
		"Main St. branch build 4412",
		"build 4412 Main Street branch",
		"uploaded 3 Google Drive files",
		"moved 2 Park Place listings",
		"version 1.22.3 released",
		"GET /api/v1/streets/12 200",
		"GET /v2/users/42/addresses/7",
		"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"processed 12345 Records in 2s",
		"Route 53 health check failed",
		"sent via Kafka 3 times",
		"routed via Envoy 2 hops",
		"Spring 3 upgrade",
		"Platz 3 im Ranking",
		"remote_address: 10.0.0.1:443",
		"address: 10.0.0.1",
		"email address: bob@example.com",
		"2048 MB Memory limit",
		"1500 EU West requests",
		"PA 12345",
		"datacenter us-east-1 at 39.0438 -77.4874",
		"Gate 12 boarding",
		"Firewall 2 rules",
		"page 3 Park Avenue listings",
		"released 2024-01-15 10:30",
		"12 Monkeys",
		"Route 66 diner",
		"took 250 ms",
		"HTTP/1.1 404 Not Found",
		"order 1234 Main Street Coffee",
	})
}

func BenchmarkPostalAddress(b *testing.B) {
	inputs := map[string]string{
		"plain":   benchInputs["plain"],
		"logline": benchInputs["logline"],
		"pii":     benchInputs["pii"],
		"address": "order 8812 shipped to 221B Baker Street, London NW1 6XE",
	}
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]Span, 0, 8)
			for b.Loop() {
				dst = PostalAddress{}.Find(in, dst[:0])
			}
		})
	}
}

func TestPostalAddressMore(t *testing.T) {
	run(t, PostalAddress{}, []string{
		"«PO Box 1234, Springfield, IL 62704»",
		"«Postfach 10 12 34»",
		"«Karl Johans gate 22, 0162 Oslo»",
		"«Andrássy út 60, 1062 Budapest»",
		"«Václavské náměstí 1, 110 00 Praha»",
		"«Невский проспект 28»",
		"«台北市信義區信義路五段7號»",
		"«Mannerheimintie 10, 00100 Helsinki»",
		"«5 Avenue Anatole France, 75007 Paris»",
		"«Piazza del Duomo, 1, 50122 Firenze»",
		"ship to: «88 Queen St W, Toronto, ON M5H 2N2»",
		// look-alikes
		"12 Abbey Road album",
		"shipped in Box 3 of 5",
		"BP 120/80 normal",
		"Departure hall gate 22 closes",
		"Terminal B gate 22",
		"scanned 5 Open Ports",
		"8080 TCP Port",
		"1080 HD Video",
		"1234 AB Testing",
		"Kurfürstendamm 2024 Marathon",
		"Sesamstraße 2024",
		"路由器1号",
		"5 Avenue Q tickets",
	})
}

func FuzzPostalAddress(f *testing.F) {
	for _, s := range []string{"221B Baker Street, London NW1 6XE", "Hauptstraße 5, 10115 Berlin", "12 rue de la Paix",
		"〒100-0001 東京都千代田区千代田1-1", "address: ul. Długa 17, 80-827 Gdańsk", "C/ Mayor 7", "PO Box 12, Tulsa, OK 74101",
		"북京市朝阳区建国路88号", "Postfach 10 12 34", "lives at Platz der Republik", "ship to: ul. Nowy Świat",
		"Am Hafen 3", "address: An der Alster, Hamburg"} {
		f.Add(s)
	}
	fuzzDetector(f, PostalAddress{})
}

// Addresses without a house number after an address cue, and German
// streets named by a preposition (gaps of issue 25). Look-alikes: street
// names without a cue (places, titles, UI labels), German prose after
// "Im", "Am", "In der".
func TestPostalAddressNumberless(t *testing.T) {
	run(t, PostalAddress{}, []string{
		"customer lives at «Platz der Republik»",
		"address: «Platz der Republik»",
		"Adresse: «Hauptstraße, 10115 Berlin»",
		"shipping_address=«Kerkstraat»",
		"please ship to «ul. Nowy Świat»",
		"Kunde wohnt in der «Lindenstraße» seit Mai",
		"wohnt «Am Hafen, Hamburg»",
		"deliver to «Baker Street, London»",
		"she moved to «rue de Rivoli» last year",
		"paket geliefert an «An der Alster»",
		"il cliente abita in «via Garibaldi»",
		"mieszka przy «ul. Długa»",
		"vive en la «Calle Mayor»",
		// German streets named by a preposition, with a number
		"«Am Hafen 3»",
		"Lieferadresse «An der Alster 12, 20099 Hamburg»",
		"Kunde: «Auf dem Berg 5»",
		"«Im Winkel 4a, 80331 München»",
		"«Zum Sportplatz 2»",
		"«Am Alten Markt 5»",
		"«Platz der Republik 1, 11011 Berlin»",
		"Lieferung an: «Am Hafen, 20457 Hamburg»",
		// look-alikes
		"Platz der Republik",
		"map view: zoom to Platz der Republik",
		"Wall Street Journal subscription",
		"Baker Street Irregulars",
		"Hauptstraße",
		"address: Unknown",
		"address: N/A",
		"address: Home Office",
		"ship to Germany",
		"lives in Berlin",
		"sent to Platz",
		"Im Test 3 Fehler",
		"Am Ende 5 Punkte",
		"Im Jahr 2024",
		"Zum Beispiel 3.",
		"Am Montag 3 Termine",
		"In der Regel 2",
		"ship to the customer",
		"deliver to Main",
		"moved to Street View",
	})
}
