package detect

import "testing"

func TestDeviceID(t *testing.T) {
	run(t, DeviceID{}, []string{
		"«00:1A:2B:3C:4D:5E»",
		"client mac=«a4:83:e7:12:9c:0f» joined ssid guest",
		"hwaddr «00-1a-2b-3c-4d-5e», retry",
		"mac:«3c:22:fb:9a:01:7d»",
		"switch port learned «001a.2b3c.4d5e»",
		`{"mac":"«f0:18:98:aa:bb:01»"}`,
		"IMEI «490154203237518» blocked",
		"imei: «352099001761481»",
		"handset «35-209900-176148-1» reported stolen",
		"device «860716031234560» rooted",
		"IDFA «6D92078A-8246-4BA4-AE5B-76104861E7DC»",
		"advertising id: «38400000-8cf0-11bd-b23e-10b96e40000d»",
		`{"gaid":"«cdda802e-fb9c-47ad-9866-0794d394c912»"}`,
		"Geräte-ID «3f2504e0-4f89-41d3-9a0c-0305e82c3301» gesperrt",
		"android_id=«9774d56d682e549c»",
		// look-alikes
		"request 550e8400-e29b-41d4-a716-446655440000 done",
		"IDFA 00000000-0000-0000-0000-000000000000 (limit ad tracking)",
		"broadcast ff:ff:ff:ff:ff:ff",
		"00:00:00:00:00:00",
		"fe80::1ff:fe23:4567:890a",
		"2001:db8:85a3::8a2e:370:7334",
		"10:30:45",
		"at 12:30:45.123",
		"order 490154203237518 shipped",
		"35-209900-176148-2",
		"eui64 00:1a:2b:ff:fe:3c:4d:5e",
		"build 2024.0115.1030",
		"sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"device 550e8400-e29b-41d4-a716-44665544000",
		"android_id=1234567890123456",
		"a4:83:e7:12:9c",
	})
}

func BenchmarkDeviceID(b *testing.B) {
	benchDetector(b, DeviceID{}, "client mac=a4:83:e7:12:9c:0f joined; IDFA 6D92078A-8246-4BA4-AE5B-76104861E7DC, IMEI 490154203237518")
}
func FuzzDeviceID(f *testing.F) { fuzzDetector(f, DeviceID{}) }

// DeviceID skips strings without "id" before androidIDs: every cue must hold it.
func TestAndroidCuesHoldID(t *testing.T) {
	for _, list := range androidCues.byFirst {
		for _, c := range list {
			if !hasFoldID(c) {
				t.Errorf("android cue %q has no id: update androidIDs' pre-check", c)
			}
		}
	}
	for s, want := range map[string]bool{"": false, "d": false, "ID": true, "xiD": true, "Mozilla/5.0 (X11; Linux x86_64)": false, "android_id": true} {
		if got := hasFoldID(s); got != want {
			t.Errorf("hasFoldID(%q) = %v, want %v", s, got, want)
		}
	}
}
