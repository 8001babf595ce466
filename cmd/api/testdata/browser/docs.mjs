// docs.mjs API_URL SCREENSHOT_PATH
// Opens API_URL/docs in headless Chromium, waits for Swagger UI to render
// the operations, takes a full-page screenshot, then runs POST /search
// through Swagger UI's "Try it out" (so the spec's servers and request
// schema are usable from the page) and reports what it saw.
import { withBrowser, main } from "./launch.mjs";

const [api, shot] = process.argv.slice(2);

main(() =>
  withBrowser(async (context) => {
    const page = await context.newPage();
    const failed = [];
    const consoleErrors = [];
    page.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.url()}: HTTP ${r.status()}`);
    });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));

    const resp = await page.goto(api + "/docs", { waitUntil: "load", timeout: 30000 });
    await page.waitForSelector(".opblock", { timeout: 30000 });
    const operations = await page.$$eval(".opblock", (els) =>
      els.map((el) => ({
        method: el.querySelector(".opblock-summary-method")?.textContent?.trim() ?? "",
        path: el.querySelector(".opblock-summary-path")?.getAttribute("data-path") ??
          el.querySelector(".opblock-summary-path")?.textContent?.trim() ?? "",
        summary: el.querySelector(".opblock-summary-description")?.textContent?.trim() ?? "",
      })),
    );
    const title = (await page.textContent(".information-container .title").catch(() => "")) ?? "";
    await page.screenshot({ path: shot, fullPage: true });

    const op = page.locator(".opblock-post", { has: page.locator('[data-path="/search"]') });
    await op.locator(".opblock-summary").first().click();
    await op.locator(".try-out__btn").click();
    await op.locator("textarea.body-param__text").fill(JSON.stringify({ query: "battery", top_k: 2 }));
    await op.locator("button.execute").click();
    const statusCell = op.locator(".live-responses-table .response .response-col_status").first();
    await statusCell.waitFor({ timeout: 30000 });
    const tryIt = {
      status: (await statusCell.textContent()).trim(),
      body: await op.locator(".live-responses-table .response-col_description pre").first().textContent(),
      url: (await op.locator(".request-url pre").first().textContent()).trim(),
    };

    return {
      tryIt,
      status: resp ? resp.status() : 0,
      title: title.trim(),
      operations,
      failed,
      consoleErrors,
    };
  }),
);
