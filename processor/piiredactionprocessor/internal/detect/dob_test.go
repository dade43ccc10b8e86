package detect

import "testing"

func TestDateOfBirth(t *testing.T) {
	run(t, DateOfBirth{}, []string{
		"dob: «1985-03-12»",
		"DOB=«03/12/1985»",
		"patient born «12 March 1985» admitted",
		"born on «March 12, 1985»",
		"date of birth «1990-04-07»T00:00:00Z",
		`{"dateOfBirth":"«1979-11-30»","plan":"pro"}`,
		"geb. «12.03.1985» in Köln",
		"Geburtsdatum: «7.4.1962»",
		"geboren am «12. März 1985»",
		"née le «04/07/1971» à Lyon",
		"date de naissance : «4 juillet 1971»",
		"fecha de nacimiento «12 de marzo de 1985»",
		"nacida el «23/08/1990»",
		"data di nascita «15/06/1978»",
		"nata a Roma il «15/06/1978»",
		"data de nascimento «02/01/1980»",
		"geboortedatum «01-02-1975»",
		"födelsedatum «1988-09-21»",
		"生年月日：«1985年3月12日»",
		"dob «19850312»",
		"Geb.-Datum «12.03.85»",
		"«1985-03-12» (DOB)",
		"member since 2019-04-01, born «1961-07-22»",
		// look-alikes
		"2024-01-15T10:30:45.123Z INFO request completed",
		"released 15/01/2024 at 10:30",
		"born 1961, joined 2019-04-01",
		"birthday sale 2024-05-01 starts",
		"birthday party on 12.06.2024",
		"expires 2027-03-12",
		"dob: 2150-01-01",
		"dob: 1985-13-45",
		"build 20240115.3",
		"version 1.2.3 born-again",
		"DOB field missing since 2024-01-15 deploy",
		"March 12, 2024 release notes",
		"stubborn 1985-03-12",
		"order 19850312",
	})
}

func BenchmarkDateOfBirth(b *testing.B) {
	benchDetector(b, DateOfBirth{}, "2024-01-15T10:30:45Z patient admitted, date of birth 12.03.1985, ward 3")
}

func FuzzDateOfBirth(f *testing.F) { fuzzDetector(f, DateOfBirth{}) }
