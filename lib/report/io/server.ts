// `report --server URL`: the findings and the graph from a running Faultline's HTTP API
// (GET /api/v1/findings and /api/v1/graph, the same window for both).
import type { Finding, MonolithScore, NotEvaluated } from '../../analysis/findings/index.ts';
import type { ReportSource } from '../build.ts';
import type { ReportEdge, ReportNode } from '../types.ts';
import { InputError } from './files.ts';

interface FindingsBody {
  window: { fromMs: number; toMs: number };
  spansAnalyzed: number;
  traces: number;
  sampled?: boolean;
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  score: MonolithScore;
}

interface GraphBody {
  nodes: ReportNode[];
  edges: ReportEdge[];
}

export interface ServerQuery {
  url: string;
  /** Passed through as the API's `from`/`to` (RFC 3339 or epoch ms); the server validates them. */
  from?: string;
  to?: string;
  timeoutMs?: number;
}

export async function sourceFromServer(q: ServerQuery, fetchImpl: typeof fetch = fetch): Promise<{ source: ReportSource; sampled: boolean }> {
  let base: URL;
  try {
    base = new URL(q.url);
  } catch {
    throw new InputError(`--server ${q.url}: not a URL (expected e.g. http://127.0.0.1:3000)`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new InputError(`--server ${q.url}: expected an http:// or https:// URL`);
  const params = new URLSearchParams();
  if (q.from) params.set('from', q.from);
  if (q.to) params.set('to', q.to);
  // Findings first: its answer fixes the window, and the graph is asked for exactly that window.
  const findings = await getJson<FindingsBody>(fetchImpl, endpoint(base, '/api/v1/findings', params), q.timeoutMs);
  if (!Array.isArray(findings.findings) || !findings.window) throw new InputError(`${endpoint(base, '/api/v1/findings', params)}: not a Faultline findings answer`);
  const windowParams = new URLSearchParams({ from: String(findings.window.fromMs), to: String(findings.window.toMs) });
  const graph = await getJson<GraphBody>(fetchImpl, endpoint(base, '/api/v1/graph', windowParams), q.timeoutMs);
  if (!Array.isArray(graph.nodes) || !Array.isArray(graph.edges)) throw new InputError(`${endpoint(base, '/api/v1/graph', windowParams)}: not a Faultline graph answer`);
  return {
    sampled: findings.sampled === true,
    source: {
      inputs: [{ source: base.origin + base.pathname.replace(/\/$/, ''), format: 'server', spans: findings.spansAnalyzed, rejected: 0 }],
      spans: findings.spansAnalyzed,
      traces: findings.traces,
      window: findings.window,
      findings: findings.findings,
      notEvaluated: findings.notEvaluated ?? [],
      score: findings.score ?? { total: 0, clusters: [] },
      graph: { nodes: graph.nodes, edges: graph.edges },
    },
  };
}

function endpoint(base: URL, path: string, params: URLSearchParams): string {
  const u = new URL(base.href.replace(/\/$/, '') + path);
  u.search = params.toString();
  return u.href;
}

async function getJson<T>(fetchImpl: typeof fetch, url: string, timeoutMs = 60_000): Promise<T> {
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new InputError(`cannot reach ${url}: ${why}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let msg = text.slice(0, 300);
    try {
      msg = (JSON.parse(text) as { error?: string }).error ?? msg;
    } catch {
      /* not JSON: show the start of the body */
    }
    throw new InputError(`${url}: HTTP ${res.status}: ${msg}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new InputError(`${url}: the answer is not JSON (is this a Faultline server?)`);
  }
}
