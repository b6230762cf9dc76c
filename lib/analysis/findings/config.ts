// faultline.config.json / .yaml: per-rule settings and architecture rules as code.
// The shell reads the file; this validates its text and answers with a value or with every
// problem, each as `<source>: <path>: <reason>` so a user can fix them all in one go.
// The shape is documented in docs/config.md.
import { parseDocument } from 'yaml';
import { RULES_BY_ID, ALL_RULE_IDS } from './registry.ts';
import {
  SEVERITIES,
  type AllowKey,
  type AnyRule,
  type RuleId,
  type Severity,
  type ThresholdType,
  type ThresholdValue,
  type Thresholds,
} from './types.ts';

export interface ServiceOverride {
  enabled?: boolean;
  severity?: Severity;
  thresholds?: Thresholds;
}

export type AllowEntry = Partial<Record<AllowKey, string>>;

export interface RuleConfig {
  enabled?: boolean;
  severity?: Severity;
  thresholds?: Thresholds;
  /** Keyed by service name or `*` pattern; the first matching key (in file order) applies. */
  services?: Record<string, ServiceOverride>;
  allow?: AllowEntry[];
}

export type DependencyKind = 'sync' | 'async' | 'db' | 'any';
export const DEPENDENCY_KINDS: readonly DependencyKind[] = ['sync', 'async', 'db', 'any'];

export interface ForbidRule {
  from: string;
  to: string;
  kind: DependencyKind;
  reason?: string;
}

export interface OwnershipRule {
  service: string;
  /** `<database>.<table>` patterns (`orders.*`), or bare table patterns. */
  writes: string[];
}

export interface ArchitectureConfig {
  forbid: ForbidRule[];
  maxChainDepth?: number;
  ownership: OwnershipRule[];
}

export interface FaultlineConfig {
  rules: Partial<Record<RuleId, RuleConfig>>;
  architecture: ArchitectureConfig;
}

export const EMPTY_CONFIG: FaultlineConfig = Object.freeze({
  rules: {},
  architecture: { forbid: [], ownership: [] },
}) as FaultlineConfig;

export type ConfigFormat = 'json' | 'yaml';
export type ParseConfigResult = { ok: true; config: FaultlineConfig } | { ok: false; errors: string[] };

export function parseConfig(text: string, format: ConfigFormat, source: string): ParseConfigResult {
  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { ok: false, errors: [`${source}: invalid JSON: ${(e as Error).message}`] };
    }
  } else {
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      return {
        ok: false,
        errors: doc.errors.map((e) => {
          const line = e.linePos?.[0];
          const where = line ? `line ${line.line}, column ${line.col}: ` : '';
          return `${source}: invalid YAML: ${where}${e.message.split('\n')[0]}`;
        }),
      };
    }
    value = doc.toJS();
    // A YAML file of only comments is an empty config, not an error.
    if (value === null || value === undefined) value = {};
  }
  return validateConfig(value, source);
}

export function validateConfig(value: unknown, source: string): ParseConfigResult {
  const errors: string[] = [];
  const fail = (path: string, reason: string) => errors.push(path ? `${source}: ${path}: ${reason}` : `${source}: ${reason}`);
  const config: FaultlineConfig = { rules: {}, architecture: { forbid: [], ownership: [] } };

  if (!isObject(value)) {
    fail('', `expected an object at the top level, got ${describe(value)}`);
    return { ok: false, errors };
  }
  for (const key of Object.keys(value)) {
    if (!['$schema', 'version', 'rules', 'architecture'].includes(key)) {
      fail(key, `unknown key; expected one of rules, architecture, version, $schema${suggest(key, ['rules', 'architecture', 'version'])}`);
    }
  }
  if (value.version !== undefined && value.version !== 1) fail('version', `expected 1, got ${describe(value.version)}`);
  if (value.$schema !== undefined && typeof value.$schema !== 'string') fail('$schema', `expected a string, got ${describe(value.$schema)}`);

  if (value.rules !== undefined) {
    if (!isObject(value.rules)) fail('rules', `expected an object keyed by rule id, got ${describe(value.rules)}`);
    else {
      for (const [id, raw] of Object.entries(value.rules)) {
        const rule = RULES_BY_ID.get(id as RuleId);
        const path = `rules.${id}`;
        if (!rule) {
          fail(path, `unknown rule id${suggest(id, ALL_RULE_IDS, true)}`);
          continue;
        }
        const rc = validateRuleConfig(rule, raw, path, fail);
        if (rc) config.rules[rule.id] = rc;
      }
    }
  }
  if (value.architecture !== undefined) validateArchitecture(value.architecture, config, fail);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}

type Fail = (path: string, reason: string) => void;

const RULE_KEYS = ['enabled', 'severity', 'thresholds', 'services', 'allow'];
const OVERRIDE_KEYS = ['enabled', 'severity', 'thresholds'];

function validateRuleConfig(rule: AnyRule, raw: unknown, path: string, fail: Fail): RuleConfig | undefined {
  // `"sync-chain": false` is the short way to switch a rule off.
  if (typeof raw === 'boolean') return { enabled: raw };
  if (!isObject(raw)) {
    fail(path, `expected an object or a boolean, got ${describe(raw)}`);
    return undefined;
  }
  const out: RuleConfig = {};
  for (const key of Object.keys(raw)) {
    if (!RULE_KEYS.includes(key)) fail(`${path}.${key}`, `unknown key; expected one of ${RULE_KEYS.join(', ')}${suggest(key, RULE_KEYS)}`);
  }
  Object.assign(out, validateOverride(rule, raw, path, fail, false));
  if (raw.services !== undefined) {
    if (!isObject(raw.services)) fail(`${path}.services`, `expected an object keyed by service name, got ${describe(raw.services)}`);
    else {
      out.services = {};
      for (const [svc, o] of Object.entries(raw.services)) {
        const p = `${path}.services.${svc}`;
        if (!isObject(o)) {
          fail(p, `expected an object, got ${describe(o)}`);
          continue;
        }
        for (const key of Object.keys(o)) {
          if (!OVERRIDE_KEYS.includes(key)) fail(`${p}.${key}`, `unknown key; expected one of ${OVERRIDE_KEYS.join(', ')}${suggest(key, OVERRIDE_KEYS)}`);
        }
        out.services[svc] = validateOverride(rule, o, p, fail, true, out.thresholds);
      }
    }
  }
  if (raw.allow !== undefined) {
    if (!Array.isArray(raw.allow)) fail(`${path}.allow`, `expected an array of objects, got ${describe(raw.allow)}`);
    else {
      out.allow = [];
      raw.allow.forEach((entry, i) => {
        const p = `${path}.allow[${i}]`;
        if (!isObject(entry)) {
          fail(p, `expected an object, got ${describe(entry)}`);
          return;
        }
        if (rule.allowKeys.length === 0) {
          fail(p, `${rule.id} has no allow-list; use enabled or services.<name>.enabled instead`);
          return;
        }
        const keys = Object.keys(entry);
        if (keys.length === 0) fail(p, `expected at least one of ${rule.allowKeys.join(', ')}`);
        const clean: AllowEntry = {};
        for (const key of keys) {
          const v = entry[key];
          if (!(rule.allowKeys as readonly string[]).includes(key)) {
            fail(`${p}.${key}`, `unknown key; ${rule.id} allow entries use ${rule.allowKeys.join(', ')}${suggest(key, rule.allowKeys)}`);
          } else if (typeof v !== 'string' || v === '') fail(`${p}.${key}`, `expected a non-empty string, got ${describe(v)}`);
          else clean[key as AllowKey] = v;
        }
        out.allow!.push(clean);
      });
    }
  }
  return out;
}

function validateOverride(
  rule: AnyRule,
  raw: Record<string, unknown>,
  path: string,
  fail: Fail,
  perService: boolean,
  ruleThresholds?: Thresholds,
): ServiceOverride {
  const out: ServiceOverride = {};
  if (raw.enabled !== undefined) {
    if (typeof raw.enabled !== 'boolean') fail(`${path}.enabled`, `expected true or false, got ${describe(raw.enabled)}`);
    else out.enabled = raw.enabled;
  }
  if (raw.severity !== undefined) {
    if (!SEVERITIES.includes(raw.severity as Severity)) {
      fail(`${path}.severity`, `expected one of ${SEVERITIES.join(', ')}, got ${describe(raw.severity)}`);
    } else out.severity = raw.severity as Severity;
  }
  if (raw.thresholds !== undefined) {
    const t = validateThresholds(rule, raw.thresholds, `${path}.thresholds`, fail);
    if (t) {
      out.thresholds = t;
      checkOrder({ ...rule.defaults, ...(perService ? ruleThresholds : {}), ...t }, `${path}.thresholds`, fail);
    }
  }
  return out;
}

function validateThresholds(rule: AnyRule, raw: unknown, path: string, fail: Fail): Thresholds | undefined {
  const keys = Object.keys(rule.defaults);
  if (!isObject(raw)) {
    fail(path, `expected an object, got ${describe(raw)}`);
    return undefined;
  }
  const out: Thresholds = {};
  for (const [key, v] of Object.entries(raw)) {
    if (!keys.includes(key)) {
      fail(
        `${path}.${key}`,
        keys.length === 0
          ? `unknown threshold; ${rule.id} has no thresholds`
          : `unknown threshold; ${rule.id} has ${keys.join(', ')}${suggest(key, keys)}`,
      );
      continue;
    }
    const type = thresholdType(rule, key);
    const reason = checkThreshold(type, v);
    if (reason) fail(`${path}.${key}`, `${reason}, got ${describe(v)}`);
    else out[key] = v as ThresholdValue;
  }
  return out;
}

export function thresholdType(rule: AnyRule, key: string): ThresholdType {
  const declared = (rule.thresholdTypes as Record<string, ThresholdType> | undefined)?.[key];
  if (declared) return declared;
  const d = (rule.defaults as Thresholds)[key];
  if (typeof d === 'boolean') return 'boolean';
  if (Array.isArray(d)) return 'strings';
  if (Number.isInteger(d)) return 'integer';
  if (typeof d === 'number' && d > 0 && d < 1) return 'share';
  return 'number';
}

function checkThreshold(type: ThresholdType, v: unknown): string | undefined {
  switch (type) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? undefined : 'expected a positive integer';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'expected a non-negative number';
    case 'share':
      return typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'expected a number between 0 and 1';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'expected true or false';
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'expected an array of strings';
  }
}

// A medium tier above the high tier would make "high" unreachable: refuse it rather than guess.
function checkOrder(t: Thresholds, path: string, fail: Fail): void {
  if (typeof t.medium === 'number' && typeof t.high === 'number' && t.medium > t.high) {
    fail(path, `medium (${t.medium}) must not be greater than high (${t.high})`);
  }
}

function validateArchitecture(raw: unknown, config: FaultlineConfig, fail: Fail): void {
  if (!isObject(raw)) {
    fail('architecture', `expected an object, got ${describe(raw)}`);
    return;
  }
  const KEYS = ['forbid', 'maxChainDepth', 'ownership'];
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) fail(`architecture.${key}`, `unknown key; expected one of ${KEYS.join(', ')}${suggest(key, KEYS)}`);
  }
  const arch = config.architecture;
  if (raw.forbid !== undefined) {
    if (!Array.isArray(raw.forbid)) fail('architecture.forbid', `expected an array, got ${describe(raw.forbid)}`);
    else {
      raw.forbid.forEach((f, i) => {
        const p = `architecture.forbid[${i}]`;
        if (!isObject(f)) return fail(p, `expected an object with from and to, got ${describe(f)}`);
        const FK = ['from', 'to', 'kind', 'reason'];
        for (const key of Object.keys(f)) if (!FK.includes(key)) fail(`${p}.${key}`, `unknown key; expected one of ${FK.join(', ')}${suggest(key, FK)}`);
        const from = requireString(f, 'from', p, fail);
        const to = requireString(f, 'to', p, fail);
        let kind: DependencyKind = 'sync';
        if (f.kind !== undefined) {
          if (!DEPENDENCY_KINDS.includes(f.kind as DependencyKind)) {
            fail(`${p}.kind`, `expected one of ${DEPENDENCY_KINDS.join(', ')}, got ${describe(f.kind)}`);
          } else kind = f.kind as DependencyKind;
        }
        if (f.reason !== undefined && typeof f.reason !== 'string') fail(`${p}.reason`, `expected a string, got ${describe(f.reason)}`);
        if (from && to) arch.forbid.push({ from, to, kind, ...(typeof f.reason === 'string' ? { reason: f.reason } : {}) });
      });
    }
  }
  if (raw.maxChainDepth !== undefined) {
    const v = raw.maxChainDepth;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      fail('architecture.maxChainDepth', `expected a positive integer, got ${describe(v)}`);
    } else arch.maxChainDepth = v;
  }
  if (raw.ownership !== undefined) {
    if (!Array.isArray(raw.ownership)) fail('architecture.ownership', `expected an array, got ${describe(raw.ownership)}`);
    else {
      raw.ownership.forEach((o, i) => {
        const p = `architecture.ownership[${i}]`;
        if (!isObject(o)) return fail(p, `expected an object with service and writes, got ${describe(o)}`);
        const OK = ['service', 'writes'];
        for (const key of Object.keys(o)) if (!OK.includes(key)) fail(`${p}.${key}`, `unknown key; expected one of ${OK.join(', ')}${suggest(key, OK)}`);
        const service = requireString(o, 'service', p, fail);
        const w = o.writes;
        if (w === undefined) fail(`${p}.writes`, 'required');
        else if (!Array.isArray(w) || w.length === 0 || !w.every((x) => typeof x === 'string' && x !== '')) {
          fail(`${p}.writes`, `expected a non-empty array of table patterns like "orders.*", got ${describe(w)}`);
        } else if (service) arch.ownership.push({ service, writes: w as string[] });
      });
    }
  }
}

function requireString(o: Record<string, unknown>, key: string, path: string, fail: Fail): string | undefined {
  const v = o[key];
  if (v === undefined) fail(`${path}.${key}`, 'required');
  else if (typeof v !== 'string' || v === '') fail(`${path}.${key}`, `expected a non-empty string, got ${describe(v)}`);
  else return v;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

function suggest(word: string, options: readonly string[], always = false): string {
  let best: string | undefined;
  let bestD = Infinity;
  // People write "n+1" for "n-plus-one" and "_" for "-": compare those spellings too.
  const spellings = [word.toLowerCase(), word.toLowerCase().replace(/\+\s*1/g, '-plus-one').replace(/[_\s]+/g, '-').replace(/-+/g, '-')];
  for (const o of options) {
    const d = Math.min(...spellings.map((w) => levenshtein(w, o.toLowerCase())));
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  // A suggestion further away than half the word is noise, not help (rule ids: there is always a closest one worth naming).
  return best !== undefined && (always || bestD <= Math.max(2, Math.ceil(word.length / 2))) ? `; did you mean "${best}"?` : '';
}

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
