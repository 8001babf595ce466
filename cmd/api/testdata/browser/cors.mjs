// cors.mjs CASES_JSON
// CASES_JSON is [{"name", "page", "api"}]. For each case it opens the page
// (served by the Go test from another origin than the API), which calls
// API/search with fetch(..., {credentials: "include"}), and reports what
// the page saw: the JSON and the exposed X-Request-ID, or the error the
// browser raised.
import { withBrowser, main } from "./launch.mjs";

const cases = JSON.parse(process.argv[2]);

main(() =>
  withBrowser(async (context) => {
    const results = [];
    for (const c of cases) {
      const page = await context.newPage();
      const consoleMessages = [];
      page.on("console", (m) => consoleMessages.push(m.text()));
      const url = c.page + "?api=" + encodeURIComponent(c.api);
      await page.goto(url, { waitUntil: "load", timeout: 30000 });
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 });
      const result = await page.evaluate(() => window.__result);
      results.push({ name: c.name, origin: new URL(c.page).origin, ...result, console: consoleMessages });
      await page.close();
    }
    return { results };
  }),
);
