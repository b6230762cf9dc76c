// web-bff: composes pages for the web shop. Planted smells:
//  - chatty-service: the home page makes 18 fine-grained calls per request;
//  - n-plus-one-api: it fetches each recommended product from catalog one by one;
//  - missing-circuit-breaker: it calls recommendations (failing most of the time) at full rate,
//    with no breaker, falling back to bestsellers each time.
import type { ServiceContext } from '../service-context.ts';

const BESTSELLERS = [3, 7, 12, 18, 21, 25, 30, 34];

export default function webBff(ctx: ServiceContext): void {
  const c = ctx.client;
  ctx.router
    .on('GET', '/v1/home', async (req) => {
      const user = req.query.get('user') ?? 'guest';
      const [categories, banners] = await Promise.all([c.call('catalog', 'GET', '/v1/categories'), c.call('catalog', 'GET', '/v1/banners')]);
      await c.call('catalog', 'GET', '/v1/navigation');
      const recs = await c.call('recommendations', 'GET', `/v1/recommendations?user=${encodeURIComponent(user)}`);
      const ids = recs.status === 200 ? ((recs.body as { items?: number[] }).items ?? BESTSELLERS) : BESTSELLERS;
      // PLANTED n-plus-one-api: one catalog call per product (catalog has no bulk endpoint).
      const products: unknown[] = [];
      for (const id of ids) products.push((await c.call('catalog', 'GET', `/v1/products/${id}`)).body);
      const stock = await c.call('inventory', 'GET', `/v1/stock?ids=${ids.join(',')}`);
      const [recent, cart, wishlist] = await Promise.all([
        c.call('orders', 'GET', `/v1/orders/recent?user=${encodeURIComponent(user)}`),
        c.call('orders', 'GET', `/v1/cart?user=${encodeURIComponent(user)}`),
        c.call('orders', 'GET', `/v1/wishlist?user=${encodeURIComponent(user)}`),
      ]);
      const [promos, stores] = await Promise.all([c.call('shipping', 'GET', '/v1/shipping/promos'), c.call('inventory', 'GET', '/v1/stores/nearby')]);
      return {
        status: 200,
        body: {
          categories: categories.body,
          banners: banners.body,
          recommended: recs.status === 200,
          products,
          stock: stock.body,
          recent: recent.body,
          cart: cart.body,
          wishlist: wishlist.body,
          promos: promos.body,
          stores: stores.body,
        },
      };
    })
    .on('GET', '/v1/products/:id', async (req) => {
      const id = req.params.id;
      const product = await c.call('catalog', 'GET', `/v1/products/${id}`);
      if (product.status !== 200) return { status: product.status === 404 ? 404 : 502, body: { error: 'product unavailable' } };
      const [stock, recs, estimate] = await Promise.all([
        c.call('inventory', 'GET', `/v1/stock/${id}`),
        c.call('recommendations', 'GET', `/v1/recommendations?item=${id}`),
        c.call('shipping', 'GET', `/v1/shipping/estimate?item=${id}`),
      ]);
      return { status: 200, body: { product: product.body, stock: stock.body, alsoBought: recs.status === 200 ? recs.body : [], estimate: estimate.body } };
    })
    .on('POST', '/v1/checkout', async (req) => {
      const r = await c.call('orders', 'POST', '/v1/orders', req.body, 7000);
      return r.status === 0 ? { status: 502, body: { error: 'orders unreachable' } } : { status: r.status, body: r.body };
    });
}
