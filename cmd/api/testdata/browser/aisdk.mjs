// aisdk.mjs PAGE_URL QUESTION FOLLOW_UP
// Opens the useChat page (scripts/aisdk/app.jsx, bundled and served by the
// Go test from another origin than the API), asks QUESTION and then
// FOLLOW_UP as a user would (type, click Send, wait until the chat is
// ready again), and reports the rendered messages: role, text, sources and
// token usage (null when the message shows none).
import { withBrowser, main } from "./launch.mjs";

const [pageURL, question, followUp] = process.argv.slice(2);

main(() =>
  withBrowser(async (context) => {
    const page = await context.newPage();
    const consoleErrors = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    await page.goto(pageURL, { waitUntil: "load", timeout: 30000 });
    let answers = 0;
    for (const q of [question, followUp]) {
      await page.fill("#question", q);
      await page.click("#send");
      answers++;
      await page.waitForFunction(
        (n) =>
          document.querySelectorAll('.message[data-role="assistant"]').length === n &&
          ["ready", "error"].includes(document.querySelector("#status")?.dataset.status),
        answers,
        { timeout: 30000 },
      );
    }
    const messages = await page.$$eval(".message", (els) =>
      els.map((el) => {
        const usage = el.querySelector(".usage")?.dataset;
        return {
          role: el.dataset.role,
          text: Array.from(el.querySelectorAll(".text"), (p) => p.textContent).join("\n"),
          sources: Array.from(el.querySelectorAll(".source"), (s) => ({
            kind: s.dataset.kind,
            id: s.dataset.sourceId,
            title: s.textContent,
          })),
          usage: usage ? { input: Number(usage.input), output: Number(usage.output), total: Number(usage.total) } : null,
        };
      }),
    );
    const status = await page.$eval("#status", (el) => el.dataset.status);
    const error = await page.$eval("#error", (el) => el.textContent).catch(() => "");
    return { messages, status, chatError: error, consoleErrors };
  }),
);
