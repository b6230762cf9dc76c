// shipping: delivery estimates and quotes. A quote needs the parcel's weight, which it asks
// catalog for: the sixth service on checkout's synchronous chain.
import { ok, work } from '../http-kit.ts';
import type { ServiceContext } from '../service-context.ts';

export default function shipping(ctx: ServiceContext): void {
  ctx.router
    .on('GET', '/v1/shipping/promos', async () => {
      await work(3);
      return ok([{ code: 'FREESHIP50', minCents: 5000 }]);
    })
    .on('GET', '/v1/shipping/estimate', async () => {
      await work(5);
      return ok({ days: 2 + Math.floor(Math.random() * 3) });
    })
    .on('POST', '/v1/shipments/quote', async (req) => {
      const items = ((req.body as { items?: { productId: number; quantity: number }[] } | undefined)?.items ?? []).slice(0, 3);
      if (items.length === 0) return { status: 400, body: { error: 'expected {items}' } };
      const heaviest = items.reduce((a, b) => (b.quantity > a.quantity ? b : a));
      const dims = await ctx.client.call('catalog', 'GET', `/v1/products/${heaviest.productId}/dimensions`);
      await work(6);
      const weightG = dims.status === 200 ? (dims.body as { weightG: number }).weightG * heaviest.quantity : 1000;
      return ok({ carrier: 'DHL', priceCents: 399 + Math.round(weightG / 10), days: 2 });
    });
}
