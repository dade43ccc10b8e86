package piiredaction

import "fmt"

func mapString(m map[string]any) string { return fmt.Sprint(m) }
