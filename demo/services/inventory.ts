// inventory: stock levels. It opens the same shop.db as orders, with NEW semantic-convention
// names (db.system.name, db.namespace, db.query.text), and reads and writes orders' `orders`
// table directly (planted shared-database + service-intimacy). Reserving stock calls back into
// orders for the order lines (planted cycle) and asks shipping for a quote (the deep chain).
import { ok, work } from '../http-kit.ts';
import type { ServiceContext } from '../service-context.ts';
import { SHOP_SCHEMA } from '../shop-schema.ts';

export default function inventory(ctx: ServiceContext): void {
  const db = ctx.database('shop.db', 'shop', 'stable');
  db.setup(SHOP_SCHEMA);
  ctx.router
    .on('GET', '/v1/stock', async (req) => {
      await work(3);
      const ids = (req.query.get('ids') ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0).slice(0, 50);
      if (ids.length === 0) return ok([]);
      return ok(db.all('SELECT', 'stock', `SELECT product_id, available FROM stock WHERE product_id IN (${ids.map(() => '?').join(',')})`, ...ids));
    })
    .on('GET', '/v1/stock/:id', async (req) => {
      await work(3);
      return ok(db.get('SELECT', 'stock', 'SELECT product_id, available FROM stock WHERE product_id = ?', Number(req.params.id)) ?? { available: 0 });
    })
    .on('GET', '/v1/stores/nearby', async () => {
      await work(4);
      return ok([{ id: 'berlin-mitte', distanceKm: 1.2 }]);
    })
    .on('POST', '/v1/reservations', async (req) => {
      const orderId = Number((req.body as { orderId?: unknown } | undefined)?.orderId);
      if (!Number.isInteger(orderId)) return { status: 400, body: { error: 'expected {orderId}' } };
      // Reaching into orders' table instead of asking orders: the planted intimacy.
      const order = db.get<{ id: number; status: string }>('SELECT', 'orders', 'SELECT id, status FROM orders WHERE id = ?', orderId);
      if (!order) return { status: 404, body: { error: 'no such order' } };
      const lines = await ctx.client.call('orders', 'GET', `/v1/orders/${orderId}/lines`);
      if (lines.status !== 200 || !Array.isArray(lines.body)) return { status: 502, body: { error: 'order lines unavailable' } };
      const items = lines.body as { productId: number; quantity: number }[];
      for (const it of items) db.run('UPDATE', 'stock', 'UPDATE stock SET available = available - ? WHERE product_id = ?', it.quantity, it.productId);
      db.run('UPDATE', 'orders', 'UPDATE orders SET status = ?, reserved_ms = ? WHERE id = ?', 'reserved', Date.now(), orderId);
      const quote = await ctx.client.call('shipping', 'POST', '/v1/shipments/quote', { orderId, items });
      return ok({ orderId, reserved: items.length, shipping: quote.body });
    });
}
