// Shared browser launch for the browser tests: Debian's chromium driven by
// playwright-core (which never downloads a browser), headless, with a
// fresh profile and every background network feature off (the machine has
// no internet access).
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// NODE_PATH (the playwright-core node_modules folder) is honoured by
// require, not by ESM import.
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// withBrowser runs fn(context) in a fresh persistent context (so the
// profile is a new --user-data-dir) and removes the profile afterwards.
export async function withBrowser(fn) {
  const profile = mkdtempSync(join(tmpdir(), "e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
    headless: true,
    args: chromiumFlags,
    timeout: 60000,
  });
  try {
    return await fn(context);
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

// report prints the one JSON line the Go test parses.
export function report(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

// main runs fn and reports {error} on failure, exiting 1.
export function main(fn) {
  fn().then(
    (r) => report(r),
    (err) => {
      report({ error: String(err && err.stack ? err.stack : err) });
      process.exitCode = 1;
    },
  );
}
