SELECT version, name, checksum FROM {{.Table}} FINAL ORDER BY version
