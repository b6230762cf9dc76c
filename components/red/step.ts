// Bucket size for RED series: about `target` points across the window, rounded to a step a
// person reads easily (1 min, 5 min, 1 h…) and never below the rollups' one-minute grain.
const NICE_STEPS_MS = [60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 60 * 60_000, 2 * 3600_000, 3 * 3600_000, 6 * 3600_000, 12 * 3600_000, 24 * 3600_000, 7 * 24 * 3600_000, 30 * 24 * 3600_000];

export function chooseStepMs(windowMs: number, target = 60): number {
  const raw = Math.max(windowMs, 1) / Math.max(target, 1);
  for (const s of NICE_STEPS_MS) if (s >= raw) return s;
  return NICE_STEPS_MS[NICE_STEPS_MS.length - 1] * Math.ceil(raw / NICE_STEPS_MS[NICE_STEPS_MS.length - 1]);
}

export function describeStep(stepMs: number): string {
  if (stepMs % (24 * 3600_000) === 0) return `${stepMs / (24 * 3600_000)} d`;
  if (stepMs % 3600_000 === 0) return `${stepMs / 3600_000} h`;
  if (stepMs % 60_000 === 0) return `${stepMs / 60_000} min`;
  return `${Math.round(stepMs / 1000)} s`;
}
