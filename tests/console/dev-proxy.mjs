// Development stand-in for castor's console serving (contract.md section 2), used by run.sh ONLY
// when CONSOLE_TEST_DEV_PROXY=1 and the castor under test does not serve /console/ yet: serves
// CONSOLE_DIR under /console/ with the contract's headers and passes every other request through
// to CASTOR_URL unchanged (streamed both ways). Listens on 127.0.0.1, a free port, written to
// PORT_FILE. The header checks of console.test.mjs then check this stand-in, not castor: a run
// that used it says so and is no proof of castor's serving.
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request, createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const dir = process.env.CONSOLE_DIR;
const upstream = new URL(process.env.CASTOR_URL);
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
    "media-src 'self' blob:; frame-src 'self' blob:; connect-src 'self'; font-src 'self'; " +
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.json': 'application/json', '.map': 'application/json',
  '.woff2': 'font/woff2', '.webmanifest': 'application/manifest+json',
};

function serveConsole(req, res, path) {
  const headers = {
    'content-security-policy': csp, 'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY',
  };
  if (path === '/console') {
    res.writeHead(301, { ...headers, location: '/console/' });
    return res.end();
  }
  let rel = normalize(decodeURIComponent(path.slice('/console/'.length)));
  let file = rel.startsWith('assets/') && !rel.includes('..') ? join(dir, rel) : join(dir, 'index.html');
  let st;
  try {
    st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
  } catch {
    if (rel.startsWith('assets/')) {
      res.writeHead(404, headers);
      return res.end();
    }
    file = join(dir, 'index.html');
    st = statSync(file);
  }
  const isAsset = file !== join(dir, 'index.html');
  res.writeHead(200, {
    ...headers,
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'content-length': st.size,
    'cache-control': isAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag: `"${st.size}-${st.mtimeMs}"`,
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/console' || path.startsWith('/console/')) return serveConsole(req, res, path);
  const out = request({
    host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
    headers: { ...req.headers, host: upstream.host },
  }, (up) => {
    res.writeHead(up.statusCode, up.rawHeaders);
    up.pipe(res);
  });
  out.on('error', () => { res.destroy(); });
  req.pipe(out);
});
readFileSync(join(dir, 'index.html'));  // fail at once when the console is not built
server.listen(0, '127.0.0.1', () => writeFileSync(process.env.PORT_FILE, `${server.address().port}\n`));
