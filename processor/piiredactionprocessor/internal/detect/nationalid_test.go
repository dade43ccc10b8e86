package detect

import "testing"

func TestNationalID(t *testing.T) {
	run(t, NationalID{}, []string{
		// Brazil CPF
		"CPF «123.456.789-09» cadastrado",
		"cliente «529.982.247-25»",
		"cpf=«39053344705»",
		// Canada SIN
		"SIN «046 454 286» on file",
		"social insurance number: «130-456-783»",
		"NAS «271456121»",
		// UK NINO
		"NI number «AB123456C» verified",
		"nino «JG 10 37 56 A»",
		// India Aadhaar
		"«2345 6789 0124»",
		"aadhaar: «498712345679»",
		// Spain DNI / NIE
		"DNI «12345678Z»",
		"titular «87654321-X»",
		"NIE «X1234567L» caducado",
		"nie «Y-7654321-G»",
		// Netherlands BSN
		"BSN «111222333»",
		"burgerservicenummer «1234.56.782»",
		// Germany Steuer-ID
		"Steuer-ID «86095742719»",
		"IdNr «47 123 850 762»",
		// France NIR
		"«1 85 05 78 006 084 91»",
		"n° sécurité sociale «292017512345604»",
		"«1 85 05 2A 012 345 79»",
		// Italy codice fiscale
		"codice fiscale «RSSMRA85T10A562S»",
		"CF: «RSSMRA85T10A562S».",
		// passports
		"passport no. «X1234567»",
		"Reisepass «C01X00T47»",
		"passeport «12AB34567»",
		"pasaporte «PAA123456»",
		"passport number «123456789»",
		// look-alikes
		"123.456.789-00",
		"CPF 11144477734",
		"12345678909",
		"046 454 287",
		"046 454 286",
		"SIN 046 454 287",
		"ABC123456C",
		"QQ123456C",
		"AB123456E",
		"GB123456A",
		"2345 6789 0123",
		"1234 5678 9012",
		"order 498712345679",
		"12345678A",
		"build 20240115B",
		"X1234567A",
		"111222334",
		"BSN 111222334",
		"86095742719",
		"Steuer-ID 65412378908",
		"1 85 05 78 006 084 92",
		"185057800608491",
		"RSSMRA85T10A562T",
		"passport office closed",
		"passport expired 2019-05-01",
		"passport check OK after 3 retries",
		"passport AB12",
		"version 1.2.3 build 123456789",
		"ticket 2345-6789-0124-5555",
		"id 0046 454 286",
		"uuid 550e8400-e29b-41d4-a716-446655440000",
	})
}

func BenchmarkNationalID(b *testing.B) {
	benchDetector(b, NationalID{}, "customer CPF 123.456.789-09, NI number AB123456C, DNI 12345678Z, passport no. X1234567")
}

func FuzzNationalID(f *testing.F) { fuzzDetector(f, NationalID{}) }
