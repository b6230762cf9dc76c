// catalog: products, categories and page furniture from its own database (catalog.db, new
// semantic-convention names). It is the target of the BFF's N+1 and the end of checkout's chain.
import { PRODUCT_IDS } from '../shop-schema.ts';
import type { ServiceContext } from '../service-context.ts';
import { ok, work } from '../http-kit.ts';

interface Product {
  id: number;
  name: string;
  price_cents: number;
  weight_g: number;
}

export default function catalog(ctx: ServiceContext): void {
  const db = ctx.database('catalog.db', 'catalog', 'stable');
  db.setup(`
    CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, price_cents INTEGER NOT NULL, weight_g INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS categories (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
    INSERT OR IGNORE INTO categories VALUES ('kitchen', 1), ('garden', 2), ('books', 3), ('toys', 4);
  `);
  for (const id of PRODUCT_IDS) {
    db.setup(`INSERT OR IGNORE INTO products VALUES (${id}, 'Product ${id}', '${['kitchen', 'garden', 'books', 'toys'][id % 4]}', ${499 + id * 100}, ${150 + id * 37})`);
  }
  ctx.router
    .on('GET', '/v1/categories', async () => {
      await work(3);
      return ok(db.all('SELECT', 'categories', 'SELECT name FROM categories ORDER BY position'));
    })
    .on('GET', '/v1/banners', async () => {
      await work(2);
      return ok([{ id: 'autumn-sale', text: 'Autumn sale: 20% off garden' }]);
    })
    .on('GET', '/v1/navigation', async () => {
      await work(2);
      return ok({ menu: ['kitchen', 'garden', 'books', 'toys'] });
    })
    .on('GET', '/v1/products/:id', async (req) => {
      await work(4);
      const p = db.get<Product>('SELECT', 'products', 'SELECT id, name, price_cents, weight_g FROM products WHERE id = ?', Number(req.params.id));
      return p ? ok(p) : { status: 404, body: { error: 'no such product' } };
    })
    .on('GET', '/v1/products/:id/dimensions', async (req) => {
      await work(3);
      const p = db.get<Product>('SELECT', 'products', 'SELECT id, weight_g FROM products WHERE id = ?', Number(req.params.id));
      return p ? ok({ id: p.id, weightG: p.weight_g }) : { status: 404, body: { error: 'no such product' } };
    });
}
