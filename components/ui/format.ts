// Number and time formatting shared by every page, so a rate or a latency reads the same everywhere.

export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function formatRate(perSec: number | null | undefined): string {
  if (perSec == null || !Number.isFinite(perSec)) return '–';
  if (perSec === 0) return '0/s';
  if (perSec >= 1000) return `${(perSec / 1000).toFixed(1)}k/s`;
  if (perSec >= 10) return `${perSec.toFixed(0)}/s`;
  if (perSec >= 0.1) return `${perSec.toFixed(2)}/s`;
  const perMin = perSec * 60;
  return perMin >= 0.1 ? `${perMin.toFixed(1)}/min` : `${(perMin * 60).toFixed(1)}/h`;
}

/**
 * One unit for a whole axis (mixing "/s" and "/min" ticks reads wrong): per second when the
 * largest value reaches 0.1/s, else per minute.
 */
export function rateFormatter(max: number): (perSec: number) => string {
  if (max >= 0.1) return formatRate;
  return (v) => {
    const perMin = v * 60;
    return v === 0 ? '0' : `${perMin < 1 ? perMin.toFixed(2) : perMin < 10 ? perMin.toFixed(1) : perMin.toFixed(0)}/min`;
  };
}

export function formatPercent(share: number | null | undefined): string {
  if (share == null || !Number.isFinite(share)) return '–';
  if (share === 0) return '0%';
  const pct = share * 100;
  if (pct < 0.1) return '<0.1%';
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}%`;
}

export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (Math.abs(n) >= 10_000) return `${(n / 1000).toFixed(0)}k`;
  if (Math.abs(n) >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return String(Math.round(n));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local date-time, to the minute: `2026-11-22 04:10`. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Value for an <input type="datetime-local"> and back. */
export function toDateTimeLocal(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromDateTimeLocal(value: string): number | undefined {
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}
