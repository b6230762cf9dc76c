// notifications: e-mails customers about their orders. It has no synchronous callers: it
// consumes `order-events` from shopbus, so it is reached asynchronously (a consumer starts a
// new chain) and keeps its own outbox database.
import { work } from '../http-kit.ts';
import type { ServiceContext } from '../service-context.ts';
import { ORDER_EVENTS_TOPIC } from '../topology.ts';

export default function notifications(ctx: ServiceContext): void {
  const db = ctx.database('notifications.db', 'notifications', 'stable');
  db.setup('CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL, kind TEXT NOT NULL, created_ms INTEGER NOT NULL)');
  void ctx.bus.consume(ORDER_EVENTS_TOPIC, 'notifications', async (value) => {
    const event = value as { orderId?: number; status?: string };
    if (!Number.isInteger(event.orderId)) throw new Error('order event without orderId');
    db.run('INSERT', 'outbox', 'INSERT INTO outbox (order_id, kind, created_ms) VALUES (?, ?, ?)', event.orderId, `order-${event.status ?? 'placed'}`, Date.now());
    await work(6);
  });
}
