// render.mjs renders Markdown files with markdown-it (the default preset,
// HTML on, as GitHub reads inline HTML) and prints, for internal/chunk
// TestMarkdownit_PublicFiles, what a reader sees of each: one JSON array,
// an element per file in the order given, of
//   {"path": ..., "text": ..., "headings": [...]} or {"path": ..., "error": ...}
// where text is the visible text of everything but the headings, and
// headings the visible text of each heading (ATX or setext), in order.
// Usage: node render.mjs < paths (one absolute path a line)
//
// Visible text: tags are dropped, a block-level tag or <br> is a line
// break, comments, <script> and <style> are dropped, entities are
// decoded; code spans and blocks are their text; a Markdown image is its
// alt text (markdown-it's, as CommonMark defines it), an HTML <img>
// nothing, as any other inline tag. YAML ("---") or TOML ("+++") front
// matter, which markdown-it would render as a rule and a paragraph, is
// dropped first. Where the loader keeps on purpose what markdown-it does
// not show (a fenced block's fences and info string, an ordered list's
// numbers), the renderer rules below write it, so that only faults
// differ.
import { readFileSync } from "node:fs";
import MarkdownIt from "markdown-it";
import { decodeHTML } from "entities";

const md = new MarkdownIt({ html: true });
// An image is its alt text, between two private-use marks that
// visibleText drops: where one image ends right where another starts (a
// row of badges, "[![Build](b)](u)[![Go](g)](v)"), a space keeps their
// alt texts apart, as the loader keeps them.
const imageOpen = "\uE000";
const imageClose = "\uE001";
md.renderer.rules.image = (tokens, idx, options, env, self) =>
  imageOpen + md.utils.escapeHtml(self.renderInlineAsText(tokens[idx].children, options, env)) + imageClose;
// A fenced code block keeps its fences and info string, as the loader
// keeps them (set aside: markdown-it shows neither).
md.renderer.rules.fence = (tokens, idx) => {
  const t = tokens[idx];
  return "<pre><code>" + md.utils.escapeHtml(t.markup + t.info + "\n" + t.content + t.markup) + "</code></pre>\n";
};
// An ordered list's numbers are shown (by the browser): each item opens
// with its number and delimiter as written ("3." or "1)").
md.renderer.rules.list_item_open = (tokens, idx, options, env, self) =>
  self.renderToken(tokens, idx, options) + md.utils.escapeHtml(tokens[idx].info ? tokens[idx].info + tokens[idx].markup + " " : "");

// blockTags are the elements a browser starts on a line of their own
// (and <br>): their tags separate words.
const blockTags = new Set(
  ("address article aside blockquote br caption center dd details dialog dir div dl dt fieldset figcaption figure " +
    "footer form h1 h2 h3 h4 h5 h6 header hr legend li main menu nav ol p pre section summary table tbody td " +
    "tfoot th thead tr ul").split(" "),
);

// tag is markdown-it's own pattern of an HTML open or close tag
// (CommonMark 6.6): what is not one is text.
const attr = String.raw`(?:\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\s*=\s*(?:[^"'=<>\x60\x00-\x20]+|'[^']*'|"[^"]*"))?)`;
const tag = new RegExp(String.raw`<(/?)([A-Za-z][A-Za-z0-9-]*)${attr}*\s*/?>`, "g");

// visibleText returns what a browser shows of the HTML markdown-it made.
function visibleText(html) {
  const s = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<![A-Za-z][^>]*>|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>/g, "")
    .replace(tag, (_tag, _close, name) => (blockTags.has(name.toLowerCase()) ? "\n" : ""))
    .replaceAll(imageClose + imageOpen, imageClose + " " + imageOpen)
    .replace(/[\uE000\uE001]/g, "");
  return decodeHTML(s);
}

// withoutFrontMatter drops a leading YAML ("---" then a "key:" line, up
// to "---" or "...") or TOML ("+++" to "+++") block.
function withoutFrontMatter(src) {
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  const open = lines[0].trimEnd();
  if (open !== "---" && open !== "+++") return src;
  if (open === "---" && !/^[A-Za-z0-9_"'-][^:]*:/.test(lines[1] ?? "")) return src;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (l === open || (open === "---" && l === "...")) return lines.slice(i + 1).join("\n");
  }
  return src;
}

// render returns a file's body text and headings.
function render(src) {
  const env = {};
  const tokens = md.parse(withoutFrontMatter(src), env);
  const body = [];
  const headings = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== "heading_open") {
      body.push(tokens[i]);
      continue;
    }
    const inline = tokens[i + 1];
    // A heading's images are left out, as the loader leaves them out
    // of headings (GitHub shows a badge there, not its alt text).
    const children = inline.children.filter((c) => c.type !== "image");
    headings.push(visibleText(md.renderer.renderInline(children, md.options, env)).trim());
    i += 2; // the inline token and heading_close
    // A line break where the heading was keeps the words around it apart.
    body.push(Object.assign(new tokens[i].constructor("html_block", "", 0), { content: "\n" }));
  }
  return { text: visibleText(md.renderer.render(body, md.options, env)), headings };
}

const paths = readFileSync(0, "utf8").split("\n").filter((p) => p !== "");
const out = paths.map((path) => {
  try {
    return { path, ...render(readFileSync(path, "utf8")) };
  } catch (e) {
    return { path, error: String(e) };
  }
});
process.stdout.write(JSON.stringify(out));
