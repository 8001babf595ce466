// docs.mjs API_URL SCREENSHOT_PATH
// Opens API_URL/docs in headless Chromium, waits for Swagger UI to render
// the operations, takes a full-page screenshot and reports what it saw.
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
    return {
      status: resp ? resp.status() : 0,
      title: title.trim(),
      operations,
      failed,
      consoleErrors,
    };
  }),
);
