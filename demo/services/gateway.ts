// gateway: the one public entry. Versioned public routes, forwarded to the web BFF.
import type { ServiceContext } from '../service-context.ts';

export default function gateway(ctx: ServiceContext): void {
  const forward = async (method: string, path: string, body?: unknown) => {
    const r = await ctx.client.call('web-bff', method, path, body, 8000);
    return r.status === 0 ? { status: 502, body: { error: `web-bff unreachable: ${r.error}` } } : { status: r.status, body: r.body };
  };
  ctx.router
    .on('GET', '/api/v1/home', (req) => forward('GET', `/v1/home?user=${encodeURIComponent(req.query.get('user') ?? 'guest')}`))
    .on('GET', '/api/v1/products/:id', (req) => forward('GET', `/v1/products/${encodeURIComponent(req.params.id)}`))
    .on('POST', '/api/v1/checkout', (req) => forward('POST', '/v1/checkout', req.body));
}
