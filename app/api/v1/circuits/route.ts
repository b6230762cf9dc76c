// GET /api/v1/circuits?from&to[&failureRate&minCalls&window&openFor] — breaker states (lib/query/circuits.ts).
import { respond } from '../../../../lib/query/api.ts';
import { circuitsApi } from '../../../../lib/query/circuits.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export function GET(req: Request): Response {
  return respond(req, circuitsApi);
}
