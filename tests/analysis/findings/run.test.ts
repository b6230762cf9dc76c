// The registry, the run, fingerprints, sorting and the distributed-monolith score.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ALL_RULE_IDS, SMELL_RULES, sortFindings } from '../../../lib/analysis/findings/index.ts';
import { fingerprint } from '../../../lib/analysis/findings/fingerprint.ts';
import { monolithScore } from '../../../lib/analysis/findings/score.ts';
import { SMELL_RULE_IDS, type Finding, type RuleId } from '../../../lib/analysis/findings/types.ts';
import { analyze, chain, config, dbSpan, span } from './helpers.ts';
import { SHARED_URL } from '../../shared.ts';

describe('registry', () => {
  it('has every rule of SMELLS.md, in its order, with defaults and remediation', () => {
    const smells = readFileSync(new URL('SMELLS.md', SHARED_URL), 'utf8');
    const ids = [...smells.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(ids).toHaveLength(17);
    expect(SMELL_RULES.map((r) => r.id)).toEqual(ids);
    expect([...SMELL_RULE_IDS]).toEqual(ids);
    for (const r of SMELL_RULES) {
      expect(r.remediation.length).toBeGreaterThan(40);
      expect(['high', 'medium', 'low', 'info']).toContain(r.defaultSeverity);
    }
    expect(ALL_RULE_IDS).toContain('architecture/forbidden-dependency');
  });
});

describe('run', () => {
  it('reports a disabled rule as not evaluated, and nothing from it', () => {
    const r = analyze(chain('t', ['a', 'b', 'c', 'd', 'e']), config({ rules: { 'sync-chain': { enabled: false } } }));
    expect(r.findings.filter((f) => f.rule === 'sync-chain')).toEqual([]);
    expect(r.notEvaluated).toContainEqual({ rule: 'sync-chain', reason: 'disabled in the configuration' });
  });

  it('finds nothing in a small clean system', () => {
    const spans = [
      ...chain('t1', ['web', 'orders']),
      ...chain('t2', ['web', 'orders']),
      dbSpan({ trace: 't1', id: 'q1', parent: 'h1s', service: 'orders', namespace: 'orders', query: 'SELECT * FROM orders WHERE id = 1' }),
    ];
    expect(analyze(spans).findings).toEqual([]);
  });

  it('gives the same problem the same fingerprint in two runs with different trace ids', () => {
    const one = analyze(chain('first-run', ['a', 'b', 'c', 'd', 'e'])).findings.find((f) => f.rule === 'sync-chain')!;
    const two = analyze([...chain('second-run', ['a', 'b', 'c', 'd', 'e', 'f', 'g']), ...chain('other', ['a', 'b', 'c', 'd', 'e'])]).findings.find((f) => f.rule === 'sync-chain')!;
    expect(one.evidence.traceIds).not.toEqual(two.evidence.traceIds);
    expect(one.severity).not.toBe(two.severity);
    expect(one.fingerprint).toBe(two.fingerprint);
    expect(one.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('fingerprints ignore identity order but not identity', () => {
    expect(fingerprint('cyclic-dependency', ['a', 'b'])).toBe(fingerprint('cyclic-dependency', ['b', 'a']));
    expect(fingerprint('cyclic-dependency', ['a', 'b'])).not.toBe(fingerprint('cyclic-dependency', ['a', 'c']));
    expect(fingerprint('cyclic-dependency', ['a b'])).not.toBe(fingerprint('cyclic-dependency', ['a', 'b']));
    expect(fingerprint('hub-service', ['a'])).not.toBe(fingerprint('nano-service', ['a']));
  });

  it('caps evidence: ≤5 trace ids, ≤20 spans', () => {
    const spans = Array.from({ length: 8 }, (_, i) => chain(`t${i}`, ['a', 'b', 'c', 'd', 'e'])).flat();
    const f = analyze(spans).findings.find((x) => x.rule === 'sync-chain')!;
    expect(f.evidence.traceIds).toHaveLength(5);
    expect(f.evidence.counts.traces).toBe(8);
  });

  it('sorts by severity, then rule order, then title', () => {
    const mk = (rule: RuleId, severity: Finding['severity'], title: string): Finding => ({ rule, severity, title, services: [], resources: [], evidence: { counts: {}, traceIds: [] }, remediation: '', fingerprint: title });
    const sorted = sortFindings([mk('nano-service', 'low', 'z'), mk('sync-chain', 'high', 'b'), mk('shared-database', 'high', 'c'), mk('sync-chain', 'high', 'a'), mk('shared-database', 'info', 'i')]);
    expect(sorted.map((f) => f.title)).toEqual(['c', 'a', 'b', 'z', 'i']);
  });

  it('a span with an odd attribute does not break the run', () => {
    const spans = [span({ id: 'r', service: 'a', kind: 'server', attrs: { 'http.route': ['not', 'a', 'string'], 'db.query.text': 42 } })];
    const r = analyze(spans);
    expect(r.notEvaluated.filter((n) => n.reason.startsWith('rule failed'))).toEqual([]);
  });
});

describe('distributed-monolith score', () => {
  const f = (rule: RuleId, services: string[], resources: Finding['resources'] = []): Finding => ({
    rule,
    severity: 'high',
    title: rule,
    services,
    resources,
    evidence: { counts: {}, traceIds: [] },
    remediation: '',
    fingerprint: fingerprint(rule, services),
  });

  it('weights findings and clusters the services they bind', () => {
    const score = monolithScore([
      f('cyclic-dependency', ['orders', 'payments']),
      f('lockstep-deploy', ['payments', 'stock']),
      f('sync-chain', ['web', 'orders']),
      f('shared-database', ['users', 'profiles'], [{ kind: 'database', name: 'db' }, { kind: 'table', name: 'users.users' }]),
      f('shared-database', ['x', 'y'], [{ kind: 'database', name: 'db2' }]),
      f('chatty-service', ['bff']),
      f('hub-service', ['orders']),
    ]);
    expect(score.clusters.map((c) => [c.name, c.score])).toEqual([
      ['orders + payments + stock + web', 8],
      ['profiles + users', 3],
      ['bff', 1],
    ]);
    expect(score.total).toBe(12);
  });

  it('is 0 with no binding findings', () => {
    expect(monolithScore([f('hub-service', ['a'])])).toEqual({ total: 0, clusters: [] });
  });
});

describe('per-service overrides', () => {
  it('apply to the service a finding is about: severity, enabled', () => {
    const spans = chain('t', ['edge', 'b', 'c', 'd', 'e']);
    const sev = config({ rules: { 'sync-chain': { services: { edge: { severity: 'info' } } } } });
    expect(analyze(spans, sev).findings.find((f) => f.rule === 'sync-chain')?.severity).toBe('info');
    // An override for another service on the chain does not apply: the finding is about edge's endpoint.
    const other = config({ rules: { 'sync-chain': { services: { c: { enabled: false } } } } });
    expect(analyze(spans, other).findings.some((f) => f.rule === 'sync-chain')).toBe(true);
  });
});
