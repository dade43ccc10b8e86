package detect

import "testing"

func TestSecret(t *testing.T) {
	run(t, Secret{}, []string{
		"key «sk_live_4eC39HqLyjWDarjtT1zdp7dc» used",
		"«sk_test_BQokikJOvBiI2HlWgH4olfQ2»",
		"«AKIAIOSFODNN7EXAMPLE»",
		"aws_access_key_id=«AKIAIOSFODNN7EXAMPLE»",
		"«ghp_16C7e42F292c6912E7710c838347Ae178B4a»",
		"«github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz»",
		"«glpat-xxxxXXXXxxxx12345678»",
		"«xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx»",
		"«AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI»",
		"api_key=«a1b2c3d4e5f6g7h8»",
		"x-api-key: «Zx81KqPl0Rt7Wm2n»",
		"password=«hunter2» user=bob",
		`{"password":"«correct horse battery staple»","user":"bob"}`,
		"db.password: «s3cr3t!»",
		"DB_PASSWORD=«p@ss:word»",
		"client_secret='«9f8e7d6c5b4a39281706»'",
		"login failed pwd=«abc»;",
		"AWS_SECRET_ACCESS_KEY=«wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY»",
		"ssh_private_key: «MIIEowIBAAKCAQEA7x1»",
		// look-alikes
		"api_key=[REDACTED:secret]",
		"password=",
		"password: null",
		"password=******",
		"token=expired",
		"token: invalid signature",
		"secret_santa=yes",
		"next_page_token=CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA3",
		"AKIA1234",
		"task_list_id=42",
		"sk_live_short",
		"mask_livery",
		"passage=long",
		"compass=north",
		"https://example.com/path",
	})
}
