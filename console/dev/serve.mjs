// Development server (no dependencies): serves console/dist under /console/ with the contract's
// headers (CSP, nosniff, no-referrer, DENY; no-cache for index.html, immutable for assets) and
// proxies everything else (/v1/*, /health, ...) to a castor server.
//
//   CASTOR_URL=http://127.0.0.1:8080 node dev/serve.mjs [--port 0] [--dir dist]
//
// Prints "console: http://127.0.0.1:<port>/console/". Rebuild with `node build.mjs --dev` and
// reload: dist/ is read on every request.
import { createServer, request } from 'node:http';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = opt('--dir', join(root, 'dist'));
const port = Number(opt('--port', process.env.PORT || 0));
const upstream = new URL(process.env.CASTOR_URL || 'http://127.0.0.1:8080');

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
  "media-src 'self' blob:; frame-src 'self' blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8' };

async function serveConsole(req, res, path) {
  const headers = {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
  if (path === '/console') {
    res.writeHead(301, { ...headers, Location: '/console/' });
    return res.end();
  }
  let rel = path.slice('/console/'.length);
  let asset = rel.startsWith('assets/') && !rel.includes('..');
  let file = asset ? normalize(join(dist, rel)) : join(dist, 'index.html');
  let body;
  try {
    body = await readFile(file);
  } catch {
    if (asset) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(503, { ...headers, 'Content-Type': 'text/plain' });
    return res.end('console/dist is not built: run npm run build');
  }
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
  headers.ETag = etag;
  headers['Cache-Control'] = asset ? 'public, max-age=31536000, immutable' : 'no-cache';
  headers['Content-Type'] = TYPES[extname(file)] || 'application/octet-stream';
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  headers['Content-Length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function proxy(req, res) {
  const headers = { ...req.headers, host: upstream.host };
  const up = request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (ur) => {
    res.writeHead(ur.statusCode, ur.rawHeaders);
    ur.pipe(res);
  });
  up.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'bad_gateway', message: `dev proxy: ${e.message}` } }));
  });
  req.pipe(up);
}

const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/console' || path.startsWith('/console/')) {
    serveConsole(req, res, path).catch((e) => {
      res.writeHead(500);
      res.end(String(e));
    });
  } else proxy(req, res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`console: http://127.0.0.1:${server.address().port}/console/ (API: ${upstream.origin})`);
});
