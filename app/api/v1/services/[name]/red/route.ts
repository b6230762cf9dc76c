// GET /api/v1/services/{name}/red?from&to&step — one service's RED series, operations, neighbours.
import { respond, serviceRedApi } from '../../../../../../lib/query/api.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export async function GET(req: Request, ctx: { params: Promise<{ name: string }> }): Promise<Response> {
  const { name } = await ctx.params;
  return respond(req, (q, params) => serviceRedApi(q, name, params));
}
