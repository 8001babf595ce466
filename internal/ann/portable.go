//go:build annportable

package ann

// Built with -tags annportable, every distance runs on the portable Go
// kernels, so a test run covers them end to end on any CPU
// (make test-kernels).
func init() { useSIMD = false }
