package pdfsandbox

import (
	"testing"
	"time"

	"github.com/vendor0919/api/internal/chunk"
)

func TestDefaultLimits_Scale(t *testing.T) {
	tests := []struct {
		size   int
		cpu    time.Duration
		memory int64
	}{
		{0, 60 * time.Second, 2 << 30},
		{1, 70 * time.Second, 2<<30 + 64},
		{1 << 20, 70 * time.Second, 2<<30 + 64<<20},
		{64 << 20, 700 * time.Second, 6 << 30},
		{128 << 20, 1340 * time.Second, 6 << 30}, // memory capped
	}
	for _, tt := range tests {
		l := DefaultLimits(tt.size)
		if l.CPU != tt.cpu || l.Memory != tt.memory || l.Output != 4*chunk.MaxPDFText+int64(tt.size)+16<<20 {
			t.Errorf("DefaultLimits(%d) = %+v, want CPU %v, memory %d", tt.size, l, tt.cpu, tt.memory)
		}
	}
}
