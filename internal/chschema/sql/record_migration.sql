INSERT INTO {{.Table}} (version, name, checksum) VALUES (?, ?, ?)
