// Builds the console into dist/: dist/assets/<name>-<hash>.{js,css,svg} and dist/index.html
// referencing them by RELATIVE urls, with no inline script or style. Offline once node_modules
// is installed (esbuild's JS API only). Usage: node build.mjs [--dev] (dev: no minification).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const assets = join(dist, 'assets');
const dev = process.argv.includes('--dev');

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: !dev,
  sourcemap: false,
  outdir: assets,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

let js = null;
let css = null;
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  if (meta.entryPoint && out.endsWith('.js')) js = basename(out);
  else if (out.endsWith('.css')) css = basename(out);
}
if (!js || !css) throw new Error(`build: missing outputs (js=${js}, css=${css})`);

// The icon: content-hashed like everything else.
const icon = await readFile(join(root, 'static', 'icon.svg'));
const iconName = `icon-${createHash('sha256').update(icon).digest('hex').slice(0, 8).toUpperCase()}.svg`;
await writeFile(join(assets, iconName), icon);

const template = await readFile(join(root, 'index.html'), 'utf8');
const html = template
  .replace('%APP_JS%', `assets/${js}`)
  .replace('%APP_CSS%', `assets/${css}`)
  .replace('%ICON%', `assets/${iconName}`);
if (/%[A-Z_]+%/.test(html)) throw new Error('build: unreplaced placeholder in index.html');
await writeFile(join(dist, 'index.html'), html);
console.log(`console built: dist/index.html, dist/assets/${js}, dist/assets/${css}, dist/assets/${iconName}`);
