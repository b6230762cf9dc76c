'use client';
// One attribute value, rendered as text. A string becomes a link only through safeHref (http and
// https); long values are cut with a "show all" toggle so a 1 MB attribute cannot freeze the panel.
import { useState } from 'react';
import type { JsonAttributeValue } from '../../lib/query/types.ts';
import { safeHref } from '../traces/safe-href.ts';
import styles from './waterfall.module.css';

const PREVIEW_CHARS = 600;
/** Even "show all" stops here: a browser can lay out 200k chars, but nobody reads past it. */
const FULL_CHARS = 200_000;

function toText(v: JsonAttributeValue): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, null, 2);
}

export function AttrValue({ value }: { value: JsonAttributeValue }) {
  const [open, setOpen] = useState(false);
  const text = toText(value);
  const href = typeof value === 'string' ? safeHref(value) : null;
  if (href !== null) {
    return (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow" referrerPolicy="no-referrer">
        {text}
      </a>
    );
  }
  if (text.length <= PREVIEW_CHARS) return <>{text}</>;
  if (!open) {
    return (
      <>
        {text.slice(0, PREVIEW_CHARS)}…
        <button type="button" className={styles.more} onClick={() => setOpen(true)}>
          show all ({text.length.toLocaleString()} chars)
        </button>
      </>
    );
  }
  return (
    <pre className={styles.longValue}>
      {text.length > FULL_CHARS ? `${text.slice(0, FULL_CHARS)}\n… ${(text.length - FULL_CHARS).toLocaleString()} more characters not shown` : text}
    </pre>
  );
}

export function AttrTable({ attributes, testId }: { attributes: Record<string, JsonAttributeValue>; testId?: string }) {
  const keys = Object.keys(attributes).sort();
  if (keys.length === 0) return <div className={styles.empty}>none</div>;
  return (
    <table className={styles.attrTable} data-testid={testId}>
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <td title={k.length > 200 ? undefined : k}>{k.length > 300 ? `${k.slice(0, 300)}…` : k}</td>
            <td>
              <AttrValue value={attributes[k]} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
