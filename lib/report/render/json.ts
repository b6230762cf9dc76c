// The versioned JSON report (docs/report.schema.json): the Report as is, stable key order.
import type { Report } from '../types.ts';

export function renderJson(r: Report): string {
  return JSON.stringify(r, null, 2) + '\n';
}
