// orders: places orders. Writes the shop database with OLD semantic-convention names (db.system,
// db.name, db.statement). Planted: it shares shop.db's `orders` table with inventory; its
// reservation call to inventory comes back to it (orders → inventory → orders, a cycle); it pays
// through an opossum circuit breaker around the flaky payments service; and it announces each
// order on the `order-events` topic (async, so notifications is not part of the checkout chain).
import { ReportedBreaker } from '../breaker.ts';
import type { CallResult } from '../http-kit.ts';
import { ok, work } from '../http-kit.ts';
import type { ServiceContext } from '../service-context.ts';
import { SHOP_SCHEMA } from '../shop-schema.ts';
import { ORDER_EVENTS_TOPIC } from '../topology.ts';

interface Line {
  productId: number;
  quantity: number;
}

function parseOrder(body: unknown): { user: string; lines: Line[] } | string {
  const b = body as { user?: unknown; items?: unknown } | undefined;
  if (!b || typeof b.user !== 'string' || !Array.isArray(b.items) || b.items.length === 0 || b.items.length > 3) return 'expected {user, items: [{productId, quantity}] (1 to 3 items)}';
  const lines: Line[] = [];
  for (const it of b.items as { productId?: unknown; quantity?: unknown }[]) {
    if (!Number.isInteger(it.productId) || !Number.isInteger(it.quantity) || (it.quantity as number) < 1) return 'each item needs an integer productId and a positive quantity';
    lines.push({ productId: it.productId as number, quantity: it.quantity as number });
  }
  return { user: b.user, lines };
}

export default function orders(ctx: ServiceContext): void {
  const db = ctx.database('shop.db', 'shop', 'legacy');
  db.setup(SHOP_SCHEMA);
  const payments = new ReportedBreaker<CallResult>('payments', 'payments', ctx.tracer, ctx.meter, {
    timeout: 2500,
    errorThresholdPercentage: 50,
    rollingCountTimeout: 10_000,
    rollingCountBuckets: 10,
    volumeThreshold: 4,
    resetTimeout: 8_000,
  });
  ctx.onStop(() => payments.shutdown());

  const charge = (orderId: number, amountCents: number) =>
    payments.fire(
      async () => {
        const r = await ctx.client.call('payments', 'POST', '/v1/charges', { orderId, amountCents }, 2000);
        // A 5xx or no answer is a failure the breaker counts; a 4xx (card declined) is an answer.
        if (r.status === 0 || r.status >= 500) throw new Error(`payments failed: ${r.status || r.error}`);
        return r;
      },
      { method: 'POST', url: `http://127.0.0.1:${ctx.env.ports.payments}/v1/charges`, port: ctx.env.ports.payments },
    );

  let lastState = payments.state();
  const stateWatch = setInterval(() => {
    const s = payments.state();
    if (s !== lastState) ctx.log(`circuit breaker payments: ${lastState} → ${s}`);
    lastState = s;
  }, 250);
  ctx.onStop(() => clearInterval(stateWatch));

  ctx.router
    .on('POST', '/v1/orders', async (req) => {
      const order = parseOrder(req.body);
      if (typeof order === 'string') return { status: 400, body: { error: order } };
      const total = order.lines.reduce((n, l) => n + l.quantity * (499 + l.productId * 100), 0);
      const { lastInsertRowid } = db.run('INSERT', 'orders', 'INSERT INTO orders (user_id, total_cents, status, created_ms) VALUES (?, ?, ?, ?)', order.user, total, 'new', Date.now());
      const orderId = Number(lastInsertRowid);
      for (const l of order.lines) db.run('INSERT', 'order_lines', 'INSERT INTO order_lines (order_id, product_id, quantity) VALUES (?, ?, ?)', orderId, l.productId, l.quantity);

      const reserved = await ctx.client.call('inventory', 'POST', '/v1/reservations', { orderId }, 5000);
      if (reserved.status !== 200) {
        db.run('UPDATE', 'orders', 'UPDATE orders SET status = ? WHERE id = ?', 'rejected', orderId);
        return { status: 409, body: { orderId, error: 'items could not be reserved' } };
      }
      let status = 'paid';
      try {
        const paid = await charge(orderId, total);
        if (paid.status !== 200) status = 'declined';
      } catch {
        // Breaker open or payments down: take the order, charge later (the breaker's fallback).
        status = 'payment_pending';
      }
      db.run('UPDATE', 'orders', 'UPDATE orders SET status = ? WHERE id = ?', status, orderId);
      await ctx.bus.publish(ORDER_EVENTS_TOPIC, { type: 'order.placed', orderId, user: order.user, status, totalCents: total });
      return { status: 201, body: { orderId, status } };
    })
    .on('GET', '/v1/orders/:id/lines', async (req) => {
      await work(2);
      return ok(db.all('SELECT', 'order_lines', 'SELECT product_id AS productId, quantity FROM order_lines WHERE order_id = ?', Number(req.params.id)));
    })
    .on('GET', '/v1/orders/recent', async (req) => {
      await work(3);
      return ok(db.all('SELECT', 'orders', 'SELECT id, status, total_cents FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT 5', req.query.get('user') ?? 'guest'));
    })
    .on('GET', '/v1/cart', async () => {
      await work(2);
      return ok({ items: [] });
    })
    .on('GET', '/v1/wishlist', async () => {
      await work(2);
      return ok({ items: [] });
    });
}
