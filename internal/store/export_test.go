package store

// The tests record the verified state of their small stores too.
func init() { recordMinBytes = 0 }
