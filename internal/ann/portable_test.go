//go:build annportable

package ann

import "testing"

func TestSIMD_OffUnderAnnportable(t *testing.T) {
	if SIMD() {
		t.Fatal("built with -tags annportable, yet SIMD() reports the AVX2 kernels")
	}
}
