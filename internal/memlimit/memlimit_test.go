package memlimit

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestLimit_Sources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		goLimit int64
		want    int64
		wantOK  bool
	}{
		{"nothing", nil, math.MaxInt64, 0, false},
		{"v2 limit", map[string]string{v2File: "1073741824\n"}, math.MaxInt64, 1 << 30, true},
		{"v2 max", map[string]string{v2File: "max\n"}, math.MaxInt64, 0, false},
		{"v1 limit", map[string]string{v1File: "536870912\n"}, math.MaxInt64, 512 << 20, true},
		{"v1 unlimited", map[string]string{v1File: "9223372036854771712\n"}, math.MaxInt64, 0, false},
		{"v2 wins over v1", map[string]string{v2File: "1000", v1File: "2000"}, math.MaxInt64, 1000, true},
		{"garbage", map[string]string{v2File: "lots"}, math.MaxInt64, 0, false},
		{"GOMEMLIMIT alone", nil, 900 << 20, 900 << 20, true},
		{"GOMEMLIMIT below cgroup", map[string]string{v2File: "1073741824"}, 800 << 20, 800 << 20, true},
		{"cgroup below GOMEMLIMIT", map[string]string{v2File: "1073741824"}, 2 << 30, 1 << 30, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, ok := limit(root, tt.goLimit)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("limit = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestLimit_Live(t *testing.T) {
	t.Parallel()
	// Whatever this machine has, a reported limit is positive.
	if n, ok := Limit(); ok && n <= 0 {
		t.Fatalf("Limit() = %d, true", n)
	}
}
