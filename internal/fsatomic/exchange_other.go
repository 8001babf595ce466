//go:build !linux

package fsatomic

// exchange is not available here; ReplaceDir falls back to two renames.
func exchange(src, dst string) (bool, error) { return false, nil }
