// GET /api/v1/traces?service&operation&minDuration&maxDuration&status&attr&from&to&limit — trace search.
import { respond, tracesApi } from '../../../../lib/query/api.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export function GET(req: Request): Response {
  return respond(req, tracesApi);
}
