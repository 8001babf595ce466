// build.mjs OUTFILE bundles app.jsx (React, ai, @ai-sdk/react) into one
// browser script with esbuild.
import { build } from "esbuild";

await build({
  entryPoints: [new URL("./app.jsx", import.meta.url).pathname],
  bundle: true,
  format: "iife",
  jsx: "automatic",
  minify: true,
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
  outfile: process.argv[2],
});
