// The critical path of a trace: the chain of span sections that, made shorter, would make the
// whole request shorter. The usual algorithm (as in Jaeger's trace view): starting at the root's
// end, walk back to the child that finished last before that point, descend into it, then continue
// in the parent from that child's start. Children that overlap the chosen one are off the path
// (parallel work that finished earlier); children are clipped to their parent's interval so
// async work that outlives its parent, or clock skew, cannot extend the path.
import type { SpanNode, TraceTree } from './tree.ts';

export interface CriticalSection {
  /** Index into TraceTree.nodes. */
  node: number;
  spanId: string;
  service: string;
  startNs: bigint;
  endNs: bigint;
  durationNs: number;
}

interface Frame {
  node: SpanNode;
  /** The node's interval, clipped to its ancestors'. */
  start: bigint;
  end: bigint;
  /** The current walk-back point inside the node. */
  cursor: bigint;
  /** Candidate children clipped to [start, end], sorted by end descending; consumed left to right. */
  kids: { node: SpanNode; start: bigint; end: bigint }[];
  next: number;
}

function frame(node: SpanNode, start: bigint, end: bigint): Frame {
  const kids: Frame['kids'] = [];
  for (const c of node.children) {
    const s = c.span.startNs < start ? start : c.span.startNs;
    const e = c.span.endNs > end ? end : c.span.endNs;
    if (e > s) kids.push({ node: c, start: s, end: e });
  }
  kids.sort((a, b) => (a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
  return { node, start, end, cursor: end, kids, next: 0 };
}

/**
 * Sections in time order. The path starts at the longest root (traces with orphans have several
 * roots; the longest is the request the user waited for). Iterative, so deep traces cannot
 * overflow the stack.
 */
export function criticalPath(tree: TraceTree): CriticalSection[] {
  if (tree.roots.length === 0) return [];
  let root = tree.roots[0];
  for (const r of tree.roots) if (r.span.durationNs > root.span.durationNs) root = r;
  const out: CriticalSection[] = [];
  const push = (n: SpanNode, s: bigint, e: bigint): void => {
    if (e > s) out.push({ node: n.index, spanId: n.span.spanId, service: n.service, startNs: s, endNs: e, durationNs: Number(e - s) });
  };
  const stack: Frame[] = [frame(root, root.span.startNs, root.span.endNs)];
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    // The last-finishing child that ended at or before the cursor (skipping ones that overlap it).
    let child: Frame['kids'][number] | undefined;
    while (f.next < f.kids.length) {
      const k = f.kids[f.next++];
      if (k.end <= f.cursor) {
        child = k;
        break;
      }
    }
    if (!child) {
      push(f.node, f.start, f.cursor);
      stack.pop();
      continue;
    }
    push(f.node, child.end, f.cursor);
    f.cursor = child.start;
    stack.push(frame(child.node, child.start, child.end));
  }
  return out.reverse();
}
