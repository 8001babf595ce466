package s3sync

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

// BenchmarkSync_VersusAWSCLI mirrors one native store of S3SYNC_BENCH_MB
// MiB (vectors) from a local versitygw with Sync and with `aws s3 sync`,
// alternating, S3SYNC_BENCH_REPEAT times each (default 3), each into a
// fresh folder, and logs wall time, MB/s and CPU seconds for both. The
// store is uploaded once with `aws s3 cp --recursive` (multipart, as an
// operator publishing with the CLI would). Sync runs with its defaults and
// a validator-free Config, so both sides only download and checksum (the
// CLI checks MD5/ETags of single-part objects; Sync checks SHA-256
// against the manifest). S3SYNC_BENCH_PART_MB and S3SYNC_BENCH_PARTS set
// Config.PartSize (MiB) and Config.PartConcurrency (0: the defaults).
// S3SYNC_BENCH_NO_PART_HASHES=1 leaves the part hashes out of the
// manifest, as in stores written before them: Sync then hashes each file
// in order on one core. S3SYNC_BENCH_DURABLE=1 sets Config.Durable: the
// sync then waits for its files to reach the disk (the CLI never does).
// Skipped unless S3SYNC_BENCH_MB is set and the
// AWS CLI is on PATH.
func BenchmarkSync_VersusAWSCLI(b *testing.B) {
	mb, _ := strconv.Atoi(os.Getenv("S3SYNC_BENCH_MB"))
	if mb <= 0 {
		b.Skip("S3SYNC_BENCH_MB not set")
	}
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		b.Skip("no aws CLI on PATH")
	}
	repeat, _ := strconv.Atoi(os.Getenv("S3SYNC_BENCH_REPEAT"))
	repeat = max(repeat, 1)
	if os.Getenv("S3SYNC_BENCH_REPEAT") == "" {
		repeat = 3
	}
	srv := s3test.Start(b)
	src := b.TempDir()
	size := int64(mb) << 20
	writeBenchStore(b, src, size)
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID="+srv.AccessKey, "AWS_SECRET_ACCESS_KEY="+srv.SecretKey,
		"AWS_DEFAULT_REGION="+srv.Region, "AWS_EC2_METADATA_DISABLED=true")
	aws := func(args ...string) (wall, cpu float64) {
		cmd := exec.Command(awsBin, append([]string{"--endpoint-url", srv.Endpoint, "--only-show-errors"}, args...)...) //nolint:gosec // G204: the benchmark runs the AWS CLI it found
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		wall = time.Since(start).Seconds()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			cpu = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
		}
		return wall, cpu
	}
	uri := "s3://" + srv.Bucket + "/store"
	aws("s3", "cp", "--recursive", src, uri)

	partMB, _ := strconv.Atoi(os.Getenv("S3SYNC_BENCH_PART_MB"))
	parts, _ := strconv.Atoi(os.Getenv("S3SYNC_BENCH_PARTS"))
	s, err := New(context.Background(), Config{URI: uri, Client: s3test.NewClient(srv.Endpoint, srv.AccessKey, srv.SecretKey),
		PartSize: int64(partMB) << 20, PartConcurrency: parts, Durable: os.Getenv("S3SYNC_BENCH_DURABLE") != ""})
	if err != nil {
		b.Fatal(err)
	}
	total := float64(size) / 1e6
	var bestGo, bestCLI float64
	for i := range repeat {
		// Each timed run starts with no dirty pages left by the one before:
		// the CLI does not fsync, so without this its last gigabyte is still
		// being written back to disk while the next Sync writes its own.
		flushDirty(b)
		dst := filepath.Join(b.TempDir(), "cli")
		srv0 := serverCPU(srv.Dir)
		wall, cpu := aws("s3", "sync", uri, dst)
		bestCLI = max(bestCLI, total/wall)
		removeRun(b, dst)
		b.Logf("run %d: aws s3 sync %.2fs %.0f MB/s, %.2f CPU s, server %.2f CPU s (load %s)", i+1, wall, total/wall, cpu, serverCPU(srv.Dir)-srv0, loadAvg())

		flushDirty(b)
		dst = filepath.Join(b.TempDir(), "go")
		srv0 = serverCPU(srv.Dir)
		cpu0 := selfCPU()
		start := time.Now()
		res, err := s.Sync(context.Background(), dst)
		if err != nil {
			b.Fatal(err)
		}
		wall = time.Since(start).Seconds()
		removeRun(b, dst)
		bestGo = max(bestGo, total/wall)
		b.Logf("run %d: Sync %.2fs %.0f MB/s, %.2f CPU s (benchmark process), server %.2f CPU s (%d files, %d bytes)",
			i+1, wall, total/wall, selfCPU()-cpu0, serverCPU(srv.Dir)-srv0, res.Files, res.Bytes)
	}
	b.ReportMetric(bestGo, "sync-MB/s")
	b.ReportMetric(bestCLI, "awscli-MB/s")
	b.Logf("best of %d: Sync %.0f MB/s, aws s3 sync %.0f MB/s, ratio %.2f", repeat, bestGo, bestCLI, bestGo/bestCLI)
}

// writeBenchStore writes a native store whose vector file is size bytes of
// noise, with a manifest that verifies.
func writeBenchStore(b *testing.B, dir string, size int64) {
	b.Helper()
	f, err := os.Create(filepath.Join(dir, "vectors.f32"))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 1<<20)
	for left := size; left > 0; left -= int64(len(buf)) {
		for i := 0; i < len(buf); i += 8 {
			v := rng.Uint64()
			for j := range 8 {
				buf[i+j] = byte(v >> (8 * j))
			}
		}
		if _, err := f.Write(buf[:min(int64(len(buf)), left)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "chunks.jsonl"), []byte(`{"id":1,"text":"x"}`+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	m := store.Manifest{
		Format: store.FormatName, FormatVersion: store.FormatVersion, Version: "bench",
		CreatedAt: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
		Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "bench", Dims: 4},
		Metric:    "cosine", Count: 1, Files: map[string]store.FileInfo{},
	}
	for _, name := range []string{"vectors.f32", "chunks.jsonl"} {
		// As store.Write records them: part hashes for files of more than one part.
		fi, ph, err := store.HashFileParts(filepath.Join(dir, name), store.PartSize)
		if err != nil {
			b.Fatal(err)
		}
		m.Files[name] = fi
		if ph != nil && os.Getenv("S3SYNC_BENCH_NO_PART_HASHES") == "" {
			if m.Parts == nil {
				m.Parts = map[string]store.PartHashes{}
			}
			m.Parts[name] = *ph
		}
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, store.ManifestFile), mb, 0o644); err != nil {
		b.Fatal(err)
	}
}

// flushDirty writes every dirty page of the machine to disk (sync(2)),
// untimed.
func flushDirty(b *testing.B) {
	b.Helper()
	syscall.Sync()
}

// removeRun deletes a timed run's copy, untimed, so every run starts with
// the same free memory: kept copies fill the page cache, and once it is
// full each later run pays the kernel's reclaim (both clients got 30-80%
// more CPU for the same bytes by the third run).
func removeRun(b *testing.B, dir string) {
	b.Helper()
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
}

func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) < 14 {
		return "?"
	}
	return string(b[:14])
}

// serverCPU returns the CPU seconds used so far by the versitygw process
// serving dir (found by its command line), 0 if not found.
func serverCPU(dir string) float64 {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cl, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(cl, []byte(dir)) || !bytes.Contains(cl, []byte("posix")) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(filepath.Dir(p), "stat"))
		if err != nil {
			return 0
		}
		// Fields after the parenthesised name: utime and stime are the
		// 12th and 13th, in clock ticks (100 per second on Linux).
		rest := stat[bytes.LastIndexByte(stat, ')')+2:]
		f := bytes.Fields(rest)
		if len(f) < 13 {
			return 0
		}
		ut, _ := strconv.ParseFloat(string(f[11]), 64)
		st, _ := strconv.ParseFloat(string(f[12]), 64)
		return (ut + st) / 100
	}
	return 0
}
