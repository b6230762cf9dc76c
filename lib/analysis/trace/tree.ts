// One trace as a tree of spans: the shape every per-trace analysis (critical path, chain depth,
// N+1, fan-out, waterfall order) walks. Built from whatever arrived, in any order.
//
// Bad data is the norm, not the exception, so the builder never throws:
// - a span whose parent never arrived is a root (an orphan), so a late or lost span does not hide
//   the rest of the trace;
// - Zipkin's client and server halves share one span id: the server half becomes the child of the
//   client half, and children naming that id hang under the server half (the work the server did);
// - exact duplicates (same id, same kind, same service, same start) are dropped and counted;
// - parent cycles (A→B→A, or a span that is its own parent) are cut at the earliest-starting span
//   on the cycle, which becomes a root.
import type { Span } from '../../model/index.ts';
import { isUnknownService, normalizeServiceName } from '../service-name.ts';
import { classifyKind, type EffectiveKind } from './kind.ts';

export interface SpanNode {
  span: Span;
  /** Normalized service name (lib/analysis/service-name.ts). */
  service: string;
  /**
   * The span's kind, or for spans without one (old instrumentations, Zipkin, CSV) the kind
   * inferred from structure (trace/kind.ts). Every analysis reads this, never span.kind.
   */
  kind: EffectiveKind;
  parent?: SpanNode;
  /** Sorted by start time, then span id. */
  children: SpanNode[];
  /** 0 for roots. */
  depth: number;
  /** Duration not covered by any child (children clipped to this span's interval). */
  selfTimeNs: number;
  /** Position in TraceTree.nodes (DFS pre-order). */
  index: number;
}

export interface TraceTree {
  traceId: string;
  /** Sorted by start time. More than one when parents are missing. */
  roots: SpanNode[];
  /** Tree order: DFS pre-order over roots, children by start time (the waterfall order). */
  nodes: SpanNode[];
  /** Earliest start / latest end over spans that carry a timestamp (0n when none does). */
  startNs: bigint;
  endNs: bigint;
  /** Spans dropped as exact duplicates. */
  duplicates: number;
  /** Spans whose parent id was given but not found (they became roots). */
  orphans: number;
  /** Parent links cut to break a cycle. */
  cyclesBroken: number;
}

/** Groups spans by trace id, preserving arrival order within each trace. */
export function groupByTrace(spans: Iterable<Span>): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  for (const s of spans) {
    const list = out.get(s.traceId);
    if (list) list.push(s);
    else out.set(s.traceId, [s]);
  }
  return out;
}

// Within one shared id, the caller's half comes first so the callee's half hangs under it.
function halfRank(s: Span): number {
  if (s.shared) return 2;
  switch (s.kind) {
    case 'client':
    case 'producer':
      return 0;
    case 'server':
    case 'consumer':
      return 2;
    default:
      return 1;
  }
}

function byStart(a: SpanNode, b: SpanNode): number {
  const d = a.span.startNs - b.span.startNs;
  if (d !== 0n) return d < 0n ? -1 : 1;
  return a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0;
}

export function buildTraceTree(spans: Span[]): TraceTree {
  const traceId = spans.length > 0 ? spans[0].traceId : '';
  let duplicates = 0;

  // 1. Group by span id; within a group, order the halves and drop exact duplicates.
  const groups = new Map<string, SpanNode[]>();
  for (const span of spans) {
    const node: SpanNode = {
      span,
      service: normalizeServiceName(span.resource.serviceName),
      kind: 'internal',
      children: [],
      depth: 0,
      selfTimeNs: 0,
      index: -1,
    };
    const g = groups.get(span.spanId);
    if (!g) {
      groups.set(span.spanId, [node]);
      continue;
    }
    const dup = g.some(
      (o) => o.span.kind === span.kind && o.service === node.service && o.span.startNs === span.startNs,
    );
    if (dup) duplicates++;
    else g.push(node);
  }

  // 2. Link: halves of one id chain (caller half → callee half); the group's first half attaches
  //    to the tail (deepest half) of its parent's group.
  const tails = new Map<string, SpanNode>();
  for (const [id, g] of groups) {
    if (g.length > 1) g.sort((a, b) => halfRank(a.span) - halfRank(b.span) || byStart(a, b));
    tails.set(id, g[g.length - 1]);
  }
  let orphans = 0;
  const all: SpanNode[] = [];
  for (const [id, g] of groups) {
    for (let i = 0; i < g.length; i++) {
      const node = g[i];
      all.push(node);
      if (i > 0) {
        node.parent = g[i - 1];
        continue;
      }
      const pid = node.span.parentSpanId;
      if (!pid || pid === id) continue; // a root, or its own parent (a 1-cycle): root
      const p = tails.get(pid);
      if (p) node.parent = p;
      else orphans++;
    }
  }
  for (const node of all) if (node.parent) node.parent.children.push(node);

  // 3. Cycles: a node whose ancestor chain never reaches a root. Mark reachability from roots,
  //    then cut each remaining cycle at its earliest-starting member.
  const reached = new Set<SpanNode>();
  const mark = (root: SpanNode): void => {
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (reached.has(n)) continue;
      reached.add(n);
      for (const c of n.children) stack.push(c);
    }
  };
  const roots: SpanNode[] = [];
  for (const n of all) if (!n.parent) roots.push(n);
  for (const r of roots) mark(r);
  let cyclesBroken = 0;
  if (reached.size < all.length) {
    for (const start of all) {
      if (reached.has(start)) continue;
      // Walk up until a node repeats: that node and its ancestors up to the repeat are the cycle.
      const seen = new Set<SpanNode>();
      let n: SpanNode = start;
      while (!seen.has(n)) {
        seen.add(n);
        n = n.parent!;
      }
      let cut = n;
      for (let m = n.parent!; m !== n; m = m.parent!) if (byStart(m, cut) < 0) cut = m;
      const p = cut.parent!;
      p.children.splice(p.children.indexOf(cut), 1);
      cut.parent = undefined;
      roots.push(cut);
      cyclesBroken++;
      mark(cut);
    }
  }

  // 4. Order, depth, pre-order list, self time; trace bounds.
  roots.sort(byStart);
  const nodes: SpanNode[] = [];
  const stack: SpanNode[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i]);
  while (stack.length > 0) {
    const n = stack.pop()!;
    n.depth = n.parent ? n.parent.depth + 1 : 0;
    // Zipkin writes "unknown" for a span whose localEndpoint was missing (a sidecar's half of a
    // call): inside its parent's process it belongs to the parent's service, not to a phantom one.
    if (n.parent && isUnknownService(n.service) && n.parent.kind !== 'client' && n.parent.kind !== 'producer') n.service = n.parent.service;
    n.kind = classifyKind(n.span, n.service, n.parent); // pre-order: the parent is classified already
    n.index = nodes.length;
    nodes.push(n);
    if (n.children.length > 1) n.children.sort(byStart);
    n.selfTimeNs = selfTime(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }

  let startNs = 0n;
  let endNs = 0n;
  for (const n of nodes) {
    const s = n.span;
    if (s.startNs <= 0n) continue; // Zipkin spans without a timestamp
    if (startNs === 0n || s.startNs < startNs) startNs = s.startNs;
    if (s.endNs > endNs) endNs = s.endNs;
  }
  return { traceId, roots, nodes, startNs, endNs, duplicates, orphans, cyclesBroken };
}

// Children are sorted by start, so one sweep merges their (clipped) intervals.
function selfTime(n: SpanNode): number {
  const s0 = n.span.startNs;
  const e0 = n.span.endNs;
  if (n.children.length === 0 || e0 <= s0) return Math.max(0, n.span.durationNs);
  let covered = 0n;
  let curS = -1n;
  let curE = -1n;
  for (const c of n.children) {
    let cs = c.span.startNs;
    let ce = c.span.endNs;
    if (cs < s0) cs = s0;
    if (ce > e0) ce = e0;
    if (ce <= cs) continue;
    if (curE < 0n || cs > curE) {
      if (curE > curS) covered += curE - curS;
      curS = cs;
      curE = ce;
    } else if (ce > curE) curE = ce;
  }
  if (curE > curS && curS >= 0n) covered += curE - curS;
  return Math.max(0, n.span.durationNs - Number(covered));
}
