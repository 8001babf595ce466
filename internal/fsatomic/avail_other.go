//go:build !linux

package fsatomic

// Available cannot tell free space off Linux: it reports false.
func Available(string) (int64, bool) { return 0, false }
