// tests/browser/cors_test.js: CORS as a real browser enforces it. Starts the real ivig-cds binary
// with caller authentication (an ES384 key made for the run) and --cors-origin naming one page
// origin, serves a blank page from that origin and from a second origin not on the allowlist, and
// drives headless Chromium (Debian's, through playwright-core) to fetch() the service from each page.
// What is asserted is what the browser lets the page read, so nothing is routed or intercepted: with
// routing on, Playwright would answer the preflights itself and the service's CORS would go untested.
//
// Usage: node tests/browser/cors_test.js --binary build/hooks/app/ivig-cds
// Without chromium or playwright-core it exits 77 (CTest: skipped), or fails when CI is set.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const SOURCE = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.IVIG_CHROMIUM || '/usr/bin/chromium';
const ISSUER = 'https://ehr.example.org';
const PUBLIC_URL = 'https://cds.example.org';
const SERVICE = '/cds-services/ivig-order-select';

function argument(name) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

/// A missing browser is a skip on a developer's machine, and a failure in CI, where
/// tests/browser/install.sh must have installed it.
function unavailable(what) {
  if (process.env.CI) {
    console.error(`tests/browser: ${what}; CI must run tests/browser/install.sh (tests/run.sh does)`);
    process.exit(1);
  }
  console.error(`tests/browser: skipped: ${what} (bash tests/browser/install.sh installs it)`);
  process.exit(77);
}

const binary = argument('--binary');
if (!binary || !fs.existsSync(binary)) {
  console.error('usage: node tests/browser/cors_test.js --binary PATH_TO_IVIG_CDS');
  process.exit(2);
}
if (!fs.existsSync(CHROMIUM)) unavailable(`no chromium at ${CHROMIUM}`);
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch {
  unavailable('playwright-core is not installed in tests/browser/node_modules');
}

// The caller's key, and tokens signed with it as a CDS client would (ES384 JWS: the signature is
// R||S, not DER).
const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
const KID = 'browser-test-key';
let jtiCount = 0;

function token(aud) {
  const now = Math.floor(Date.now() / 1000);
  const encode = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const input = `${encode({ alg: 'ES384', typ: 'JWT', kid: KID })}.${encode({
    iss: ISSUER, aud: PUBLIC_URL + aud, iat: now, exp: now + 300, jti: `browser-${process.pid}-${++jtiCount}`,
  })}`;
  const signature = crypto.sign('sha384', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function refusal(reason, diagnostics) {
  return {
    resourceType: 'OperationOutcome',
    issue: [{
      severity: 'error', code: 'login',
      details: {
        coding: [
          { system: 'urn:ivig-cds:error', code: 'unauthorized', display: 'The request carries no valid credentials.' },
          { system: 'urn:ivig-cds:auth-reason', code: reason },
        ],
      },
      diagnostics,
    }],
  };
}

/// A page server on a free loopback port: every path answers the same blank page.
async function pageServer() {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>ivig-cds CORS test page</title>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/// Starts ivig-cds on port 0 and resolves with its base URL once it prints the port it bound.
function startService(work, allowedOrigin) {
  fs.writeFileSync(path.join(work, 'issuers.json'), JSON.stringify({
    issuers: [{ iss: ISSUER, jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'ES384', use: 'sig' }] } }],
  }));
  const child = spawn(binary, ['--port', '0', '--threads', '2', '--audit-path', path.join(work, 'audit.sqlite3'),
    '--issuers-file', path.join(work, 'issuers.json'), '--public-url', PUBLIC_URL,
    '--cors-origin', allowedOrigin], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const bound = /listening on [^\s]*:(\d+) /.exec(log);
      if (bound) resolve({ child, url: `http://127.0.0.1:${bound[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`ivig-cds exited (${code}) before listening:\n${log}`)));
  });
}

let work;
let allowed;
let other;
let service;
let browser;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ivig-browser-'));
  allowed = await pageServer();
  other = await pageServer();
  service = await startService(work, allowed.origin);
  // Chromium refuses to start as root with its sandbox on (crbug.com/638180); the sandbox guards
  // against hostile web content, and this browser loads only the blank page served above. CORS is
  // enforced by the network service whether or not the renderer is sandboxed (docs/security.md).
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: process.getuid() !== 0 });
});

after(async () => {
  if (browser) await browser.close();
  if (service) {
    service.child.removeAllListeners('exit');
    const exited = new Promise((resolve) => service.child.once('exit', resolve));
    service.child.kill('SIGTERM');
    await exited;
  }
  for (const page of [allowed, other]) {
    if (page) {
      page.server.closeAllConnections();
      page.server.close();
    }
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/// fetch() from a page of `origin` (each in a fresh browser context, so that no preflight is cached
/// from an earlier test): what the page's script sees — status and body, or the error. Also what
/// DevTools saw of CORS preflights (observed, not routed): the OPTIONS requests sent, and the status
/// of each preflight answer received.
async function fetchFrom(origin, url, init) {
  const page = await browser.newPage();
  try {
    const devtools = await page.context().newCDPSession(page);
    const preflights = [];
    const preflightStatuses = [];
    devtools.on('Network.requestWillBeSent', (event) => {
      if (event.request.method === 'OPTIONS') preflights.push(event.request.url);
    });
    devtools.on('Network.responseReceived', (event) => {
      if (event.type === 'Preflight') preflightStatuses.push(event.response.status);
    });
    await devtools.send('Network.enable');
    await page.goto(`${origin}/`);
    const seen = await page.evaluate(async ({ target, options }) => {
      try {
        const response = await fetch(target, options);
        return { status: response.status, body: await response.text(), challenge: response.headers.get('WWW-Authenticate') };
      } catch (error) {
        return { error: error.name, message: error.message };
      }
    }, { target: url, options: init });
    return { ...seen, preflights, preflightStatuses };
  } finally {
    await page.close();
  }
}

function bearer(aud) {
  return { Authorization: `Bearer ${token(aud)}` };
}

const example = fs.readFileSync(path.join(SOURCE, 'deploy/examples/order-select-privigen-hyperprolinemia.json'), 'utf8');

test('discovery with a token is readable from the allowed origin, after a preflight', async () => {
  const seen = await fetchFrom(allowed.origin, `${service.url}/cds-services`, { headers: bearer('/cds-services') });
  assert.equal(seen.status, 200, seen.body ?? seen.message);
  assert.deepEqual(seen.preflights, [`${service.url}/cds-services`]);
  assert.deepEqual(seen.preflightStatuses, [204]);
  // The golden file of the integration tests, with the knowledge version this binary reports.
  const { knowledgeVersion } = await (await fetch(`${service.url}/healthz`)).json();
  const golden = fs.readFileSync(path.join(SOURCE, 'tests/integration/expected/discovery.json'), 'utf8');
  assert.deepEqual(JSON.parse(seen.body), JSON.parse(golden.replaceAll('{{knowledgeVersion}}', knowledgeVersion)));
});

test('a JSON POST with a token is preflighted and its cards are readable', async () => {
  const seen = await fetchFrom(allowed.origin, service.url + SERVICE, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...bearer(SERVICE) }, body: example,
  });
  assert.equal(seen.status, 200, seen.body ?? seen.message);
  assert.deepEqual(seen.preflights, [service.url + SERVICE]);
  assert.deepEqual(seen.preflightStatuses, [204]);
  const cards = JSON.parse(seen.body).cards;
  assert.equal(cards.length, 1, seen.body);
  assert.equal(cards[0].indicator, 'critical');
  assert.equal(cards[0].summary, 'Privigen contains proline: contraindicated with hyperprolinemia');
  assert.deepEqual(cards[0].extension['ivig-cds'].rules, ['R4']);
});

test('a 401 without a token is readable (simple GET, no preflight)', async () => {
  const seen = await fetchFrom(allowed.origin, `${service.url}/cds-services`, {});
  assert.equal(seen.status, 401, seen.message);
  assert.deepEqual(seen.preflights, []);
  assert.deepEqual(seen.preflightStatuses, []);
  assert.deepEqual(JSON.parse(seen.body), refusal('token-missing', 'This service requires Authorization: Bearer <JWT>.'));
  // The challenge header was sent but is not exposed to the page (no Access-Control-Expose-Headers):
  // a browser client learns the reason from the body.
  assert.equal(seen.challenge, null);
});

test('a 401 for a replayed token is readable after its preflight', async () => {
  const headers = { 'Content-Type': 'application/json', ...bearer(SERVICE) };
  const first = await fetchFrom(allowed.origin, service.url + SERVICE, { method: 'POST', headers, body: example });
  assert.equal(first.status, 200, first.body ?? first.message);
  const again = await fetchFrom(allowed.origin, service.url + SERVICE, { method: 'POST', headers, body: example });
  assert.equal(again.status, 401, again.message);
  assert.deepEqual(again.preflights, [service.url + SERVICE]);
  assert.deepEqual(again.preflightStatuses, [204]);
  assert.deepEqual(JSON.parse(again.body), refusal('token-replayed', 'This token (its jti) was used before.'));
});

test('another origin cannot read a simple GET although the service answered it', async () => {
  const seen = await fetchFrom(other.origin, `${service.url}/cds-services`, {});
  assert.equal(seen.error, 'TypeError', JSON.stringify(seen));
  assert.equal(seen.message, 'Failed to fetch');
  // The service did answer (a 401 with no Access-Control-Allow-Origin): the browser hid it.
  const direct = await fetch(`${service.url}/cds-services`, { headers: { Origin: other.origin } });
  assert.equal(direct.status, 401);
  assert.equal(direct.headers.get('access-control-allow-origin'), null);
  assert.equal(direct.headers.get('vary'), 'Origin');
});

test('another origin\'s preflighted POST is never sent: its token stays unused', async () => {
  const headers = { 'Content-Type': 'application/json', ...bearer(SERVICE) };
  const blocked = await fetchFrom(other.origin, service.url + SERVICE, { method: 'POST', headers, body: example });
  assert.equal(blocked.error, 'TypeError', JSON.stringify(blocked));
  // The preflight went out and was answered, without Access-Control-Allow-Origin for this origin.
  assert.deepEqual(blocked.preflights, [service.url + SERVICE]);
  assert.deepEqual(blocked.preflightStatuses, [204]);
  // Had the POST gone out, the service would have remembered the jti and refused it now.
  const later = await fetchFrom(allowed.origin, service.url + SERVICE, { method: 'POST', headers, body: example });
  assert.equal(later.status, 200, later.body ?? later.message);
});
