package soak

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// reloadLoop publishes edition 1, 2, ... every opts.ReloadEvery and asks the
// server to reload; each reload must answer 200 with the new version.
func reloadLoop(ctx context.Context, c *http.Client, tgt Target, opts Options, rep *Report) {
	tick := time.NewTicker(opts.ReloadEvery)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		t0 := time.Now()
		err := reloadOnce(ctx, c, tgt, opts, n)
		if ctx.Err() != nil {
			return // cut by the end of the soak
		}
		rep.record("reload", time.Since(t0), err)
		if err != nil {
			opts.Logf("soak: reload %d: %v", n, err)
		}
	}
}

func reloadOnce(ctx context.Context, c *http.Client, tgt Target, opts Options, n int) error {
	version, err := opts.Publish(ctx, n)
	if err != nil {
		return fmt.Errorf("publish edition %d: %w", n, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tgt.URL+"/admin/reload", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tgt.AdminToken)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		_ = resp.Body.Close()
		return fmt.Errorf("/admin/reload: %s", resp.Status)
	}
	var info struct {
		Version string `json:"version"`
	}
	if err := readJSON(resp, &info); err != nil {
		return err
	}
	if info.Version != version {
		return fmt.Errorf("/admin/reload serves version %q, want %q", info.Version, version)
	}
	return nil
}
