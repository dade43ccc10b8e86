SELECT name, engine_full FROM system.tables WHERE database = {{.DatabaseLiteral}} ORDER BY name
