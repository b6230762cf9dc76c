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

// Comparisons only: bigint subtraction would allocate on every compare of every sort.
function byStart(a: SpanNode, b: SpanNode): number {
  const x = a.span.startNs;
  const y = b.span.startNs;
  if (x !== y) return x < y ? -1 : 1;
  return a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0;
}

function newNode(span: Span): SpanNode {
  return { span, service: normalizeServiceName(span.resource.serviceName), kind: 'internal', children: [], depth: 0, selfTimeNs: 0, index: -1 };
}

export function buildTraceTree(spans: Span[]): TraceTree {
  const traceId = spans.length > 0 ? spans[0].traceId : '';
  let duplicates = 0;

  // 1. Group by span id. Almost every id is unique, so a group is one node until a second half
  //    (Zipkin) or a duplicate shows up; exact duplicates are dropped.
  const groups = new Map<string, SpanNode | SpanNode[]>();
  for (const span of spans) {
    const node = newNode(span);
    const g = groups.get(span.spanId);
    if (g === undefined) {
      groups.set(span.spanId, node);
      continue;
    }
    const list = Array.isArray(g) ? g : [g];
    if (list.some((o) => o.span.kind === span.kind && o.service === node.service && o.span.startNs === span.startNs)) {
      duplicates++;
      continue;
    }
    list.push(node);
    if (list !== g) groups.set(span.spanId, list);
  }

  // 2. Link: halves of one id chain (caller half → callee half); the group's first half attaches
  //    to the tail (deepest half) of its parent's group.
  const tailOf = (g: SpanNode | SpanNode[]): SpanNode => (Array.isArray(g) ? g[g.length - 1] : g);
  for (const g of groups.values()) if (Array.isArray(g)) g.sort((a, b) => halfRank(a.span) - halfRank(b.span) || byStart(a, b));
  let orphans = 0;
  const all: SpanNode[] = [];
  const roots: SpanNode[] = [];
  const link = (node: SpanNode, id: string): void => {
    all.push(node);
    const pid = node.span.parentSpanId;
    if (!pid || pid === id) {
      roots.push(node); // a root, or its own parent (a 1-cycle)
      return;
    }
    const pg = groups.get(pid);
    if (pg === undefined) {
      orphans++;
      roots.push(node);
      return;
    }
    node.parent = tailOf(pg);
    node.parent.children.push(node);
  };
  for (const [id, g] of groups) {
    if (!Array.isArray(g)) {
      link(g, id);
      continue;
    }
    link(g[0], id);
    for (let i = 1; i < g.length; i++) {
      all.push(g[i]);
      g[i].parent = g[i - 1];
      g[i - 1].children.push(g[i]);
    }
  }

  // 3. Order, depth, pre-order list, self time. A node the walk from the roots never reaches is
  //    on (or under) a parent cycle: cut each cycle at its earliest-starting member and walk again.
  let cyclesBroken = 0;
  let nodes = walk(roots);
  if (nodes.length < all.length) {
    const reached = new Set(nodes);
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
      const stack = [cut];
      while (stack.length > 0) {
        const x = stack.pop()!;
        reached.add(x);
        for (const c of x.children) stack.push(c);
      }
    }
    nodes = walk(roots);
  }

  let startNs = 0n;
  let endNs = 0n;
  for (const n of nodes) {
    const sp = n.span;
    if (sp.startNs <= 0n) continue; // Zipkin spans without a timestamp
    if (startNs === 0n || sp.startNs < startNs) startNs = sp.startNs;
    if (sp.endNs > endNs) endNs = sp.endNs;
  }
  return { traceId, roots, nodes, startNs, endNs, duplicates, orphans, cyclesBroken };
}

/** DFS pre-order from the roots (sorted in place); sets depth, index, kind and self time. */
function walk(roots: SpanNode[]): SpanNode[] {
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
  return nodes;
}

// Children are sorted by start, so one sweep merges their (clipped) intervals. Offsets from the
// parent's start are numbers (exact below ~104 days), so only one bigint per child is made.
function selfTime(n: SpanNode): number {
  const dur = Math.max(0, n.span.durationNs);
  const kids = n.children;
  if (kids.length === 0) return dur;
  const s0 = n.span.startNs;
  const e0 = Number(n.span.endNs - s0);
  if (e0 <= 0) return dur;
  let covered = 0;
  let curS = -1;
  let curE = -1;
  for (const c of kids) {
    const cs0 = Number(c.span.startNs - s0);
    const cs = cs0 < 0 ? 0 : cs0;
    let ce = cs0 + c.span.durationNs;
    if (ce > e0) ce = e0;
    if (ce <= cs) continue;
    if (curE < 0 || cs > curE) {
      if (curE > curS) covered += curE - curS;
      curS = cs;
      curE = ce;
    } else if (ce > curE) curE = ce;
  }
  if (curE > curS && curS >= 0) covered += curE - curS;
  return Math.max(0, dur - covered);
}
