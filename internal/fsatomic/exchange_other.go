//go:build !linux

package fsatomic

// exchange is not available here; ReplaceDir falls back to two renames.
func exchange(src, dst string) (bool, error) { return false, nil }

func notRenameable(error) bool { return false }

// CheckRenameable cannot tell a mount point here: nil.
func CheckRenameable(string) error { return nil }
