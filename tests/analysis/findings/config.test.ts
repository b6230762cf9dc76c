import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lib/analysis/findings/config.ts';

const SRC = 'faultline.config.json';
const errorsOf = (value: unknown) => {
  const r = parseConfig(JSON.stringify(value), 'json', SRC);
  return r.ok ? [] : r.errors;
};

describe('parseConfig', () => {
  it('accepts the documented shape, JSON and YAML alike', () => {
    const value = {
      version: 1,
      rules: {
        'sync-chain': { severity: 'high', thresholds: { medium: 4, high: 6 }, services: { 'bff-*': { thresholds: { medium: 6, high: 9 } } } },
        'shared-database': { allow: [{ service: 'reporting', database: 'orders' }] },
        'hub-service': false,
      },
      architecture: {
        forbid: [{ from: 'web', to: 'payments', kind: 'sync', reason: 'go through checkout' }],
        maxChainDepth: 5,
        ownership: [{ service: 'orders', writes: ['orders.*'] }],
      },
    };
    const json = parseConfig(JSON.stringify(value), 'json', SRC);
    expect(json.ok).toBe(true);
    const yaml = parseConfig(
      [
        'version: 1',
        'rules:',
        '  sync-chain:',
        '    severity: high',
        '    thresholds: { medium: 4, high: 6 }',
        '    services:',
        '      bff-*: { thresholds: { medium: 6, high: 9 } }',
        '  shared-database:',
        '    allow:',
        '      - { service: reporting, database: orders }',
        '  hub-service: false',
        'architecture:',
        '  forbid:',
        '    - { from: web, to: payments, kind: sync, reason: go through checkout }',
        '  maxChainDepth: 5',
        '  ownership:',
        '    - service: orders',
        '      writes: ["orders.*"]',
      ].join('\n'),
      'yaml',
      'faultline.config.yaml',
    );
    expect(yaml).toEqual(json);
    if (!json.ok) return;
    expect(json.config.rules['hub-service']).toEqual({ enabled: false });
    expect(json.config.architecture.forbid[0]).toEqual({ from: 'web', to: 'payments', kind: 'sync', reason: 'go through checkout' });
  });

  it('names the exact path and reason of a bad threshold', () => {
    expect(errorsOf({ rules: { 'sync-chain': { thresholds: { high: 'x' } } } })).toEqual([
      'faultline.config.json: rules.sync-chain.thresholds.high: expected a positive integer, got "x"',
    ]);
    expect(errorsOf({ rules: { 'sync-chain': { thresholds: { high: 0 } } } })).toEqual([
      'faultline.config.json: rules.sync-chain.thresholds.high: expected a positive integer, got 0',
    ]);
    expect(errorsOf({ rules: { 'sync-chain': { thresholds: { minTraceShare: 1.5 } } } })).toEqual([
      'faultline.config.json: rules.sync-chain.thresholds.minTraceShare: expected a number between 0 and 1, got 1.5',
    ]);
    expect(errorsOf({ rules: { 'n-plus-one-db': { thresholds: { minTotalMs: -1 } } } })).toEqual([
      'faultline.config.json: rules.n-plus-one-db.thresholds.minTotalMs: expected a non-negative number, got -1',
    ]);
    expect(errorsOf({ rules: { 'shared-database': { thresholds: { cacheSystems: 'redis' } } } })).toEqual([
      'faultline.config.json: rules.shared-database.thresholds.cacheSystems: expected an array of strings, got "redis"',
    ]);
  });

  it('refuses an unknown rule id and suggests the closest one', () => {
    expect(errorsOf({ rules: { 'sync-chian': {} } })).toEqual(['faultline.config.json: rules.sync-chian: unknown rule id; did you mean "sync-chain"?']);
    expect(errorsOf({ rules: { 'n+1-db': {} } })).toEqual(['faultline.config.json: rules.n+1-db: unknown rule id; did you mean "n-plus-one-db"?']);
  });

  it('refuses unknown thresholds and keys, naming the valid ones', () => {
    expect(errorsOf({ rules: { 'chatty-service': { thresholds: { meduim: 3 } } } })).toEqual([
      'faultline.config.json: rules.chatty-service.thresholds.meduim: unknown threshold; chatty-service has medium, high; did you mean "medium"?',
    ]);
    expect(errorsOf({ rules: { 'chatty-service': { severty: 'low' } } })).toEqual([
      'faultline.config.json: rules.chatty-service.severty: unknown key; expected one of enabled, severity, thresholds, services, allow; did you mean "severity"?',
    ]);
    expect(errorsOf({ rulez: {} })).toEqual(['faultline.config.json: rulez: unknown key; expected one of rules, architecture, version, $schema; did you mean "rules"?']);
  });

  it('checks severities, allow entries, per-service overrides and tier order', () => {
    expect(errorsOf({ rules: { 'fan-out': { severity: 'critical' } } })).toEqual([
      'faultline.config.json: rules.fan-out.severity: expected one of high, medium, low, info, got "critical"',
    ]);
    expect(errorsOf({ rules: { 'shared-database': { allow: [{ service: 'reporting', route: '/x' }] } } })).toEqual([
      'faultline.config.json: rules.shared-database.allow[0].route: unknown key; shared-database allow entries use service, database, table',
    ]);
    expect(errorsOf({ rules: { 'shared-database': { allow: [{}] } } })).toEqual([
      'faultline.config.json: rules.shared-database.allow[0]: expected at least one of service, database, table',
    ]);
    expect(errorsOf({ rules: { 'sync-chain': { services: { bff: { enabled: 'no' } } } } })).toEqual([
      'faultline.config.json: rules.sync-chain.services.bff.enabled: expected true or false, got "no"',
    ]);
    expect(errorsOf({ rules: { 'sync-chain': { thresholds: { medium: 8 } } } })).toEqual([
      'faultline.config.json: rules.sync-chain.thresholds: medium (8) must not be greater than high (7)',
    ]);
    expect(errorsOf({ rules: { 'sync-chain': { thresholds: { high: 9 }, services: { bff: { thresholds: { medium: 10 } } } } } })).toEqual([
      'faultline.config.json: rules.sync-chain.services.bff.thresholds: medium (10) must not be greater than high (9)',
    ]);
  });

  it('checks the architecture rules', () => {
    expect(
      errorsOf({
        architecture: {
          forbid: [{ from: 'web' }, { from: 'a', to: 'b', kind: 'rpc' }],
          maxChainDepth: 2.5,
          ownership: [{ service: 'orders', writes: [] }],
        },
      }),
    ).toEqual([
      'faultline.config.json: architecture.forbid[0].to: required',
      'faultline.config.json: architecture.forbid[1].kind: expected one of sync, async, db, any, got "rpc"',
      'faultline.config.json: architecture.maxChainDepth: expected a positive integer, got 2.5',
      'faultline.config.json: architecture.ownership[0].writes: expected a non-empty array of table patterns like "orders.*", got an array',
    ]);
  });

  it('reports every problem at once, and syntax errors with their position', () => {
    expect(errorsOf({ rules: { 'sync-chain': { thresholds: { high: 'x' } }, 'fan-out': { enabled: 1 } } })).toHaveLength(2);
    const bad = parseConfig('{"rules": {', 'json', SRC);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/^faultline\.config\.json: invalid JSON: /);
    const badYaml = parseConfig('rules:\n  sync-chain: [\n', 'yaml', 'f.yaml');
    expect(badYaml.ok).toBe(false);
    if (!badYaml.ok) expect(badYaml.errors[0]).toMatch(/^f\.yaml: invalid YAML: line \d+, column \d+: /);
    expect(parseConfig('[]', 'json', SRC)).toEqual({ ok: false, errors: ['faultline.config.json: expected an object at the top level, got an array'] });
    expect(parseConfig('# nothing configured\n', 'yaml', 'f.yaml').ok).toBe(true);
  });
});
