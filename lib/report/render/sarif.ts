// SARIF 2.1.0 for code-scanning dashboards: one reportingDescriptor per rule id (help text,
// default level, security-severity), one result per finding with logical locations (service,
// edge, database…) and the finding's fingerprint as partialFingerprints, so a dashboard tracks
// a finding across runs even though its counts and example traces change.
import { RULES, type Severity } from '../../analysis/findings/index.ts';
import type { Report, ReportFinding } from '../types.ts';
import { countsText, plain } from './describe.ts';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'faultlineFingerprint/v1';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning reads `security-severity` (0–10): ≥7 high, ≥4 medium, >0 low. */
const SECURITY_SEVERITY: Record<Severity, string> = { high: '8.0', medium: '5.5', low: '3.0', info: '0.5' };

export interface SarifOptions {
  /**
   * A repository file every result is also anchored to (line 1), e.g. the faultline config:
   * GitHub code scanning rejects a SARIF file whose results carry only logical locations.
   */
  artifactUri?: string;
}

export function renderSarif(r: Report, opts: SarifOptions = {}): string {
  const ruleIds = [...RULES.map((x) => x.id as string)];
  for (const f of r.findings) if (!ruleIds.includes(f.rule)) ruleIds.push(f.rule);
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const rule = RULES.find((x) => x.id === id);
    const title = rule?.title ?? id;
    const severity = rule?.defaultSeverity ?? 'medium';
    const remediation = rule?.remediation ?? '';
    return {
      id,
      name: pascal(id),
      shortDescription: { text: title },
      fullDescription: { text: `${title}. Default severity ${severity}.` },
      help: { text: `${title}\n\nRemediation: ${remediation}`, markdown: `**${title}**\n\nRemediation: ${remediation}` },
      defaultConfiguration: { level: LEVEL[severity] },
      properties: { tags: ['architecture', 'faultline', ...(id.startsWith('architecture/') ? ['architecture-rule'] : ['smell'])], 'security-severity': SECURITY_SEVERITY[severity] },
    };
  });
  const results = r.findings.map((f) => result(f, index.get(f.rule)!, opts.artifactUri));
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'faultline', version: r.tool.version, rules } },
        automationDetails: { id: 'faultline/architecture/' },
        columnKind: 'unicodeCodePoints',
        results,
        properties: {
          failOn: r.failOn,
          spans: r.spans,
          traces: r.traces,
          monolithScore: r.score.total,
          notEvaluated: r.notEvaluated.map((n) => `${n.rule}: ${n.reason}`),
        },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function result(f: ReportFinding, ruleIndex: number, artifactUri: string | undefined) {
  const counts = countsText(f);
  const out: Record<string, unknown> = {
    ruleId: f.rule,
    ruleIndex,
    level: LEVEL[f.severity],
    kind: 'fail',
    message: { text: plain(`${f.title}.${counts ? ` Evidence: ${counts}.` : ''} Services: ${f.services.join(', ')}. Remediation: ${f.remediation}`) },
    locations: [artifactUri ? { physicalLocation: { artifactLocation: { uri: artifactUri }, region: { startLine: 1 } }, logicalLocations: logicalLocations(f) } : { logicalLocations: logicalLocations(f) }],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: {
      severity: f.severity,
      'security-severity': SECURITY_SEVERITY[f.severity],
      failing: f.failing,
      services: f.services,
      traceIds: f.evidence.traceIds,
      counts: f.evidence.counts,
    },
  };
  if (f.new !== undefined) out.baselineState = f.new ? 'new' : 'unchanged';
  return out;
}

function logicalLocations(f: ReportFinding) {
  const out: { name: string; fullyQualifiedName: string; kind: string }[] = [];
  const seen = new Set<string>();
  const add = (kind: string, sarifKind: string, name: string) => {
    const fqn = `${kind}:${name}`;
    if (seen.has(fqn)) return;
    seen.add(fqn);
    out.push({ name, fullyQualifiedName: fqn, kind: sarifKind });
  };
  for (const s of f.services) add('service', 'module', s);
  for (const r of f.resources) add(r.kind, r.kind === 'route' || r.kind === 'endpoint' ? 'function' : 'resource', r.name);
  return out;
}

function pascal(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}
