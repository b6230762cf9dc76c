// Every output validates: the JSON report against docs/report.schema.json, SARIF against the
// official SARIF 2.1.0 schema (and what code scanning needs), JUnit as XML with the promised cases.
// Pure renderers over reports built in-process from the planted shop and the Zipkin fixtures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../lib/analysis/findings/index.ts';
import { buildReport, createBaseline, render, sourceFromAnalysis, type Report } from '../../lib/report/index.ts';
import { analyzeFiles } from '../../lib/report/io/files.ts';
import { githubAnnotations } from '../../lib/report/render/github.ts';
import { code, md } from '../../lib/report/render/markdown.ts';
import { mermaidDiagram, mermaidLabel } from '../../lib/report/render/mermaid.ts';
import { FINGERPRINT_KEY } from '../../lib/report/render/sarif.ts';
import { CLEAN, PLANTED, ROOT, ZIPKIN } from './helpers.ts';
import { validate } from './json-schema.ts';
import { validateSarif } from './sarif-schema.ts';
import { parseXml, type XmlElement } from './xml.ts';

const reportSchema = JSON.parse(readFileSync(join(ROOT, 'docs', 'report.schema.json'), 'utf8')) as Record<string, unknown>;

async function reportOf(files: string[], failOn: Report['failOn'] = 'high', baselineFrom?: Report): Promise<Report> {
  const r = await analyzeFiles(files, { now: 0, config: { rules: {}, architecture: { forbid: [], ownership: [] } } });
  return buildReport(sourceFromAnalysis(r.analysis, r.inputs), {
    failOn,
    toolVersion: '9.9.9',
    baseline: baselineFrom ? { name: 'base.json', baseline: createBaseline(baselineFrom) } : undefined,
  });
}

let planted: Report;
let clean: Report;
let zipkin: Report;
let drifted: Report;
beforeAll(async () => {
  planted = await reportOf([PLANTED]);
  clean = await reportOf([CLEAN], 'low');
  zipkin = await reportOf(['ascend', 'envoy', 'messaging', 'simple-db-p6', 'skew', 'smartthings-oauth-authorization', 'yelp'].map((f) => `${ZIPKIN}/${f}.json`), 'medium');
  drifted = await reportOf([PLANTED], 'high', clean);
});

describe('JSON report', () => {
  it('validates against docs/report.schema.json (with and without a baseline)', () => {
    for (const r of [planted, clean, zipkin, drifted]) expect(validate(reportSchema, JSON.parse(render(r, 'json')))).toEqual([]);
    expect(drifted.drift).toBeDefined();
  });

  it('the schema rejects what the contract forbids (so the check above can fail)', () => {
    const j = JSON.parse(render(planted, 'json')) as Record<string, unknown> & { findings: Record<string, unknown>[] };
    const bad = structuredClone(j);
    bad.findings[0].severity = 'critical';
    expect(validate(reportSchema, bad).join()).toContain('findings[0].severity');
    const extra = structuredClone(j);
    extra.version = 2;
    expect(validate(reportSchema, extra).join()).toContain('$.version');
    const missing = structuredClone(j);
    delete missing.findings[0].fingerprint;
    expect(validate(reportSchema, missing).join()).toContain('missing required fingerprint');
  });

  it('carries the ARCHITECTURE.md §3 fields for findings and the graph', () => {
    const j = JSON.parse(render(planted, 'json')) as Report;
    expect(j.version).toBe(1);
    const f = j.findings.find((x) => x.rule === 'shared-database')!;
    expect(f).toMatchObject({ severity: 'high', services: ['orders', 'stock'], failing: true });
    expect(f.resources).toContainEqual({ kind: 'table', name: 'shop.inventory' });
    expect(f.evidence.traceIds.length).toBeGreaterThan(0);
    expect(j.graph.edges).toContainEqual(expect.objectContaining({ source: 'warehouse', target: 'shipping', kind: 'sync', calls: 20 }));
    expect(Object.keys(j.graph.edges[0]).sort()).toEqual(['calls', 'errors', 'kind', 'p50Ms', 'p95Ms', 'p99Ms', 'source', 'target']);
    expect(j.summary).toMatchObject({ failing: 2, passed: false });
  });
});

describe('SARIF', () => {
  it('validates against the official SARIF 2.1.0 schema', () => {
    for (const r of [planted, clean, zipkin, drifted]) expect(validateSarif(JSON.parse(render(r, 'sarif')))).toEqual([]);
  });

  it('anchored to a repository file (what GitHub code scanning requires), results still validate', () => {
    const log = JSON.parse(render(planted, 'sarif', { sarifArtifact: 'faultline.config.yaml' }));
    expect(validateSarif(log)).toEqual([]);
    for (const res of log.runs[0].results) {
      expect(res.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'faultline.config.yaml' }, region: { startLine: 1 } });
      expect(res.locations[0].logicalLocations.length).toBeGreaterThan(0);
    }
    const broken = structuredClone(log);
    broken.runs[0].results[0].locations[0].physicalLocation.region = { startLine: 0 };
    expect(validateSarif(broken)).toEqual(['/runs/0/results/0/locations/0/physicalLocation/region/startLine: must be >= 1 (comparison=">=", limit=1)']);
  });

  it('the official schema rejects a broken log, each error at its place (so the checks above can fail)', () => {
    const log = JSON.parse(render(planted, 'sarif'));
    log.runs[0].results[0].level = 'fatal';
    log.runs[0].results[0].locations[0].logicalLocations[0].where = 'x';
    delete log.runs[0].tool.driver.name;
    log.runs[0].results[1].locations[0].physicalLocation = { artifactLocation: { uri: 'a b' } };
    expect(validateSarif(log)).toEqual([
      '/runs/0/tool/driver: must have required property \'name\' (missingProperty="name")',
      '/runs/0/results/0/level: must be equal to one of the allowed values (allowedValues=["none","note","warning","error"])',
      '/runs/0/results/0/locations/0/logicalLocations/0: must NOT have additional properties (additionalProperty="where")',
      '/runs/0/results/1/locations/0/physicalLocation/artifactLocation/uri: must match format "uri-reference" (format="uri-reference")',
    ]);
    expect(validateSarif({ version: '2.1.0' })).toEqual(['/: must have required property \'runs\' (missingProperty="runs")']);
  });

  it('one rule per rule id with help and severity mapping; results point at their rule, with fingerprints and logical locations', () => {
    const log = JSON.parse(render(planted, 'sarif'));
    const run = log.runs[0];
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ids).toEqual(RULES.map((r) => r.id));
    for (const rule of run.tool.driver.rules) {
      expect(rule.help.text).toContain('Remediation:');
      expect(['error', 'warning', 'note']).toContain(rule.defaultConfiguration.level);
      expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
    }
    expect(run.results).toHaveLength(planted.findings.length);
    for (const [i, res] of run.results.entries()) {
      const f = planted.findings[i];
      expect(ids[res.ruleIndex]).toBe(res.ruleId);
      expect(res.ruleId).toBe(f.rule);
      expect(res.level).toBe({ high: 'error', medium: 'warning', low: 'note', info: 'note' }[f.severity]);
      expect(res.partialFingerprints[FINGERPRINT_KEY]).toBe(f.fingerprint);
      const names = res.locations[0].logicalLocations.map((l: { fullyQualifiedName: string }) => l.fullyQualifiedName);
      for (const s of f.services) expect(names).toContain(`service:${s}`);
    }
    const shared = run.results.find((x: { ruleId: string }) => x.ruleId === 'shared-database');
    expect(shared.locations[0].logicalLocations.map((l: { fullyQualifiedName: string }) => l.fullyQualifiedName)).toContain('database:db:postgresql|shop-db:5432|shop');
    const cycle = JSON.parse(render(zipkin, 'sarif')).runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'cyclic-dependency');
    expect(cycle.locations[0].logicalLocations.map((l: { fullyQualifiedName: string }) => l.fullyQualifiedName)).toContain('edge:datamgmt->stlogin');
  });

  it('fingerprints are stable across runs with different data, and baselineState marks new results', () => {
    const a = JSON.parse(render(planted, 'sarif')).runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[FINGERPRINT_KEY]);
    const b = JSON.parse(render(drifted, 'sarif')).runs[0].results;
    expect(b.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints[FINGERPRINT_KEY])).toEqual(a);
    const states = new Set(b.map((r: { baselineState: string }) => r.baselineState));
    expect(states).toEqual(new Set(['new', 'unchanged']));
  });
});

describe('JUnit', () => {
  const cases = (root: XmlElement) => root.children[0].children.filter((c) => c.name === 'testcase');

  it('parses as XML: one test case per rule, a failure per finding at or above the threshold', () => {
    const root = parseXml(render(zipkin, 'junit'));
    expect(root.name).toBe('testsuites');
    const all = cases(root);
    expect(all.map((c) => c.attrs.name)).toEqual(RULES.filter((r) => !r.id.startsWith('architecture/')).map((r) => r.id));
    const failures = all.flatMap((c) => c.children.filter((x) => x.name === 'failure'));
    expect(failures).toHaveLength(zipkin.findings.filter((f) => f.failing).length);
    expect(failures.length).toBe(5);
    expect(root.attrs.failures).toBe('5');
    const chatty = all.find((c) => c.attrs.name === 'chatty-service')!;
    expect(chatty.children.filter((x) => x.name === 'failure')).toHaveLength(2);
    const unversioned = all.find((c) => c.attrs.name === 'unversioned-api')!;
    expect(unversioned.children.map((x) => x.name)).toEqual(['system-out']);
  });

  it('not-evaluated rules are skipped with their reason; the clean shop at --fail-on low fails on its nano-services', () => {
    const root = parseXml(render(zipkin, 'junit'));
    const lockstep = cases(root).find((c) => c.attrs.name === 'lockstep-deploy')!;
    expect(lockstep.children[0].name).toBe('skipped');
    expect(lockstep.children[0].attrs.message).toMatch(/^not evaluated: /);
    const c = parseXml(render(clean, 'junit'));
    expect(c.attrs.failures).toBe(String(clean.findings.length));
  });

  it('escapes hostile names: the output stays well-formed', () => {
    const evil: Report = structuredClone(planted);
    evil.findings[0].title = 'a <b>&"\'</b> ]]> \u0001 \ud800 title';
    evil.findings[0].services = ['svc"><injected/>'];
    const root = parseXml(render(evil, 'junit'));
    const failure = cases(root).flatMap((c) => c.children).find((x) => x.name === 'failure')!;
    expect(failure.attrs.message).toContain('a <b>&"\'</b> ]]> ? \ufffd title');
    expect(failure.text).toContain('svc"><injected/>');
  });

  it('the XML checker rejects malformed documents (so the checks above can fail)', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(/closes/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/bare/);
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/not allowed/);
  });
});

describe('markdown', () => {
  it('has the summary table, evidence and remediation of each finding, and a Mermaid diagram', () => {
    const m = render(planted, 'markdown');
    expect(m).toContain('| Severity | Findings | Fails the build |');
    expect(m).toContain('| 🔴 high | 2 | 2 |');
    expect(m).toMatch(/```mermaid\nflowchart LR\n/);
    for (const f of planted.findings) expect(m).toContain(md(f.remediation));
    expect(m).toContain('**Evidence:** services 2, calls 280, sharedTables 1');
  });

  it('escapes labels from telemetry in the diagram and the text', () => {
    const evil: Report = structuredClone(planted);
    const name = 'ord"ers]-->x[<script>';
    evil.findings[0].services = [name];
    evil.graph.nodes.push({ id: name, kind: 'service', name, calls: 1, errors: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 });
    evil.findings[0].title = '<img src=x onerror=alert(1)> *bold* | pipe';
    const d = mermaidDiagram(evil)!;
    expect(d).toContain('["ord#34;ers#93;--#62;x#91;#60;script#62;"]');
    expect(d).not.toContain('<script>');
    const m = render(evil, 'markdown');
    expect(m).not.toContain('<img');
    expect(m).toContain('&lt;img src=x onerror=alert\\(1\\)&gt; \\*bold\\* \\| pipe');
    expect(mermaidLabel('a#b')).toBe('"a#35;b"');
    expect(code('a`b')).toBe('``a`b``');
  });
});

describe('text and GitHub annotations', () => {
  it('colour only when asked; control characters never reach the terminal', () => {
    expect(render(planted, 'text', { color: false })).not.toContain('\u001b[');
    expect(render(planted, 'text', { color: true })).toContain('\u001b[31m');
    const evil: Report = structuredClone(planted);
    evil.findings[0].title = 'x\u001b]0;pwned\u0007\nFAKE LINE';
    const t = render(evil, 'text', { color: false });
    expect(t).not.toContain('\u001b');
    expect(t).toContain('x?]0;pwned??FAKE LINE');
  });

  it('::error for findings that fail the build, ::warning/::notice for the rest, values escaped', () => {
    const lines = githubAnnotations(planted).trimEnd().split('\n');
    expect(lines).toHaveLength(planted.findings.length);
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(2);
    expect(lines.some((l) => l.startsWith('::warning title=faultline sync-chain (medium)::'))).toBe(true);
    const evil: Report = structuredClone(planted);
    evil.findings[0].title = '50%\n::error::forged';
    const first = githubAnnotations(evil).split('\n')[0];
    expect(first).toContain('50%25%0A::error::forged');
    expect(githubAnnotations(evil).split('\n').filter((l) => l.startsWith('::error')).length).toBe(2);
  });
});
