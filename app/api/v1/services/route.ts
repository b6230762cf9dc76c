// GET /api/v1/services?from&to&step — RED per service with sparklines (lib/query).
import { respond, servicesApi } from '../../../../lib/query/api.ts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export function GET(req: Request): Response {
  return respond(req, servicesApi);
}
