import type { Finding } from '../../lib/query/types.ts';

export function SeverityBadge({ severity }: { severity: Finding['severity'] }) {
  return <span className={`sev sev-${severity}`}>{severity}</span>;
}
