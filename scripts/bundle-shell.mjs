#!/usr/bin/env node
// Bundles the `grith shell -c` hot path (dist/src/session/shell/fast.js and what it imports) into dist/shell-fast/:
// loading ~40 ES modules costs more than the whole 75 ms budget; one file loads in a fraction of it. Optional: when
// the bundler is not installed (production installs without dev dependencies), bin/run.js uses the unbundled files.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const input = join(root, 'dist', 'src', 'session', 'shell', 'fast.js');
const outDir = join(root, 'dist', 'shell-fast');
if (!existsSync(input)) {
  console.error('bundle-shell: build first (dist/src/session/shell/fast.js is missing)');
  process.exit(1);
}
let build;
try {
  ({ build } = await import('rolldown'));
} catch {
  console.error('bundle-shell: rolldown not installed; grith shell -c runs unbundled (slower start-up)');
  await rm(outDir, { recursive: true, force: true });
  process.exit(0);
}
await rm(outDir, { recursive: true, force: true });
await build({
  input,
  platform: 'node',
  // Packages stay packages (native addons, their own lazy loading); only grith's own modules are joined.
  external: [/^[^./]/],
  logLevel: 'silent',
  output: { dir: outDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
});
