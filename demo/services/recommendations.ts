// recommendations: "customers also bought". Its feature store is down: 75% of requests fail
// with 503, all the time (planted: the BFF keeps calling it at full rate with no breaker).
import { ok, work } from '../http-kit.ts';
import type { ServiceContext } from '../service-context.ts';

export const FAILURE_RATE = 0.75;

export default function recommendations(ctx: ServiceContext): void {
  ctx.router.on('GET', '/v1/recommendations', async () => {
    await work(8);
    if (Math.random() < FAILURE_RATE) return { status: 503, body: { error: 'feature store unreachable' } };
    const items = new Set<number>();
    while (items.size < 8) items.add(1 + Math.floor(Math.random() * 40));
    return ok({ items: [...items] });
  });
}
