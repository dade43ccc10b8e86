package detect

import "testing"

func TestGeo(t *testing.T) {
	run(t, Geo{}, []string{
		"user location «48.85837», «2.29448»",
		"driver at «40.7128»,«-74.0060»",
		"delivered to («52.5200», «13.4050»)",
		"gps fix «51.5074» N, «0.1278» W",
		"«48.8584»° N, «2.2945»° E",
		"lat=«48.85661» lon=«2.35222»",
		`{"lat":«48.8566»,"lng":«2.3522»,"acc":12}`,
		`{"longitude": «-122.4194», "latitude": «37.7749»}`,
		`"coordinates":[«2.29448»,«48.85837»]`,
		"Standort: «47.3769» «8.5417»",
		"ubicación del cliente «-34.6037», «-58.3816»",
		"pos «35.6762» «139.6503»",
		"last seen «-33.86882»,«151.20929» (accuracy 12 m)",
		// look-alikes
		"datacenter eu-west-1 at 53.3498, -6.2603",
		"region us-east-1 (39.0438, -77.4874)",
		"lat=48.85 lon=2.35",
		"48.85, 2.35",
		"p50=12.3456, p99=45.6789",
		"latency 12.3456, 45.6789 ms",
		"weights 0.1234, 0.5678",
		"vector 1.2345, 2.3456, 3.4567",
		"version 1.2345, build 2.3456",
		"took 1.234 2.345",
		"ip 192.168.100.200",
		"1.3.6.1.4.1",
		"amount 1234.5678, 2345.6789",
		"lat 48.8566",
		"time 12:30:45.123, 13:30:45.123",
		"2024-01-15T10:30:45.123Z",
		"score=0.9876 loss=0.0123",
		"scale 1.2500, 1.7500",
	})
}

func BenchmarkGeo(b *testing.B) {
	benchDetector(b, Geo{}, "courier position 48.85837, 2.29448 updated, eta 12.5 min")
}

func FuzzGeo(f *testing.F) { fuzzDetector(f, Geo{}) }
