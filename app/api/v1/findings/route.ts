// GET /api/v1/findings?from&to — every rule over the window's spans (lib/query).
import { findingsApi, respond } from '../../../../lib/query/api.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export function GET(req: Request): Response {
  return respond(req, findingsApi);
}
