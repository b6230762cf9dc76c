// GET /api/v1/graph?from&to — the service graph of a window (lib/query).
import { graphApi, respond } from '../../../../lib/query/api.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export function GET(req: Request): Response {
  return respond(req, graphApi);
}
