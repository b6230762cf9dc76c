// Fingerprints let a baseline recognise "the same problem" in a later run. They hash only the
// identity of what a finding concerns (sorted, so discovery order does not matter), never counts,
// trace ids or times, which change on every run.
import type { RuleId } from './types.ts';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** FNV-1a 64 over UTF-8: stable across platforms and versions, no crypto module needed. */
export function fnv1a64(text: string): string {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * FNV_PRIME) & MASK;
  }
  return h.toString(16).padStart(16, '0');
}

export function fingerprint(rule: RuleId, identity: readonly string[]): string {
  const parts = [...new Set(identity)].sort();
  // A unit separator cannot appear in service or table names, so ["a b"] ≠ ["a", "b"].
  return fnv1a64(`${rule}\u001f${parts.join('\u001f')}`);
}
