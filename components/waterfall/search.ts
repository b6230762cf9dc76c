// Search within a trace: which rows match a query, and the evidence-highlight list from the URL.
// Pure; attribute values are matched as the text the details panel shows.
import type { JsonAttributeValue } from '../../lib/query/types.ts';

export interface SearchableSpan {
  spanId: string;
  service: string;
  name: string;
  attributes: Record<string, JsonAttributeValue>;
  events?: { name: string }[];
  status?: { message?: string };
}

/** Strings longer than this are searched only in their first part: a 1 MB attribute must not stall typing. */
const MAX_SEARCH_CHARS = 4096;

function textOf(v: JsonAttributeValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > MAX_SEARCH_CHARS ? v.slice(0, MAX_SEARCH_CHARS) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = JSON.stringify(v);
  return s.length > MAX_SEARCH_CHARS ? s.slice(0, MAX_SEARCH_CHARS) : s;
}

/**
 * Rows matching every whitespace-separated term (case-insensitive). A term `key=value` matches
 * an attribute exactly (value compared as text); other terms match the span id, service, name,
 * attribute keys and values, event names or the status message as substrings.
 */
export function searchSpans(spans: readonly SearchableSpan[], query: string): number[] {
  const terms = query.trim().toLowerCase().split(/\s+/).filter((t) => t.length > 0);
  if (terms.length === 0) return [];
  const out: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    if (terms.every((t) => spanMatches(spans[i], t))) out.push(i);
  }
  return out;
}

function spanMatches(s: SearchableSpan, term: string): boolean {
  const eq = term.indexOf('=');
  if (eq > 0) {
    const key = term.slice(0, eq);
    const want = term.slice(eq + 1);
    for (const k of Object.keys(s.attributes)) {
      if (k.toLowerCase() === key && textOf(s.attributes[k]).toLowerCase() === want) return true;
    }
    return false;
  }
  if (s.spanId.toLowerCase() === term) return true;
  if (s.service.toLowerCase().includes(term) || s.name.toLowerCase().includes(term)) return true;
  for (const k of Object.keys(s.attributes)) {
    if (k.toLowerCase().includes(term) || textOf(s.attributes[k]).toLowerCase().includes(term)) return true;
  }
  if (s.events?.some((e) => e.name.toLowerCase().includes(term))) return true;
  return (s.status?.message ?? '').toLowerCase().includes(term);
}

const SPAN_ID = /^[0-9a-f]{16}$/;

/** `?highlight=spanId,spanId` → valid lowercase span ids (anything else is ignored, not an error). */
export function parseHighlight(param: string | null | undefined): string[] {
  if (!param) return [];
  const out: string[] = [];
  for (const part of param.split(',')) {
    const id = part.trim().toLowerCase();
    if (SPAN_ID.test(id) && !out.includes(id)) out.push(id);
    if (out.length >= 1000) break;
  }
  return out;
}
