// tryit.mjs API_URL API_KEY
// Swagger UI as a newcomer uses it: Authorize with the bare API key (the
// http bearer scheme adds the "Bearer " prefix), then "Try it out" on
// POST /search and POST /query with the request bodies the page fills in
// from the document's examples, untouched. Reports what it saw.
import { withBrowser, main } from "./launch.mjs";

const [api, key] = process.argv.slice(2);

main(() =>
  withBrowser(async (context) => {
    const page = await context.newPage();
    const auth = [];
    page.on("request", (r) => {
      if (r.url().startsWith(api + "/search") || r.url().startsWith(api + "/query")) {
        auth.push(r.headers()["authorization"] ?? "");
      }
    });
    await page.goto(api + "/docs", { waitUntil: "load", timeout: 30000 });
    await page.waitForSelector(".opblock", { timeout: 30000 });

    await page.locator("button.authorize").first().click();
    const scheme = page.locator(".auth-container", { hasText: "BearerAuth" });
    const schemeText = (await scheme.textContent()) ?? "";
    await scheme.locator("input").first().fill(key);
    await scheme.locator("button.authorize").click();
    await page.locator("button.btn-done").first().click();

    const tries = {};
    for (const path of ["/search", "/query"]) {
      const op = page.locator(".opblock-post", { has: page.locator(`[data-path="${path}"]`) });
      await op.locator(".opblock-summary").first().click();
      await op.locator(".try-out__btn").click();
      const body = await op.locator("textarea.body-param__text").inputValue();
      await op.locator("button.execute").click();
      const statusCell = op.locator(".live-responses-table .response .response-col_status").first();
      await statusCell.waitFor({ timeout: 30000 });
      tries[path] = {
        sent: body,
        status: (await statusCell.textContent()).trim(),
        body: await op.locator(".live-responses-table .response-col_description pre").first().textContent(),
      };
    }
    return { schemeText, tries, auth };
  }),
);
