package test

import (
	"errors"
	"fmt"
	"strings"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func indexFrom(s, sub string, from int) int {
	i := strings.Index(s[from:], sub)
	if i < 0 {
		return -1
	}
	return from + i
}
