// payments: charges cards through an "acquirer" that has regular outages (planted flakiness).
// Every minute after the demo starts, seconds 15–35 fail 90% of the time; otherwise 3%. The
// orders service's opossum breaker opens during the outage, half-opens, and closes after it.
import { work } from '../http-kit.ts';
import type { ServiceContext } from '../service-context.ts';

export const OUTAGE_PERIOD_MS = 60_000;
export const OUTAGE_FROM_MS = 15_000;
export const OUTAGE_TO_MS = 35_000;

/** True while the acquirer is in its outage window. Pure: pass the time since the demo started. */
export function inOutage(sinceStartMs: number): boolean {
  const phase = ((sinceStartMs % OUTAGE_PERIOD_MS) + OUTAGE_PERIOD_MS) % OUTAGE_PERIOD_MS;
  return phase >= OUTAGE_FROM_MS && phase < OUTAGE_TO_MS;
}

export default function payments(ctx: ServiceContext): void {
  ctx.router.on('POST', '/v1/charges', async (req) => {
    const body = req.body as { orderId?: unknown; amountCents?: unknown } | undefined;
    if (!body || !Number.isInteger(body.orderId) || !Number.isInteger(body.amountCents)) return { status: 400, body: { error: 'expected {orderId, amountCents}' } };
    await work(25);
    const failRate = inOutage(Date.now() - ctx.env.t0Ms) ? 0.9 : 0.03;
    if (Math.random() < failRate) return { status: 503, body: { error: 'acquirer unavailable' } };
    return { status: 200, body: { orderId: body.orderId, chargeId: `ch_${Math.random().toString(36).slice(2, 10)}` } };
  });
}
