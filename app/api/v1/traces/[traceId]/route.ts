// GET /api/v1/traces/{traceId} — one trace in waterfall order with critical path and chain depth.
import { respond, traceApi } from '../../../../../lib/query/api.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(req: Request, ctx: { params: Promise<{ traceId: string }> }): Promise<Response> {
  const { traceId } = await ctx.params;
  return respond(req, (q) => traceApi(q, traceId));
}
