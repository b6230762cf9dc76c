// Runs before every page render: a fresh CSP nonce per request. Next.js reads the nonce from
// the request's Content-Security-Policy header and puts it on the scripts it emits, which is
// why the pages render dynamically (the root layout is force-dynamic anyway).
import { NextResponse, type NextRequest } from 'next/server';
import { dashboardCsp, newNonce } from './lib/web/csp.ts';

export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const csp = dashboardCsp({ nonce, dev: process.env.NODE_ENV !== 'production' });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: API JSON, static chunks and icons need no script policy of their own.
      source: '/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [{ type: 'header', key: 'next-router-prefetch' }],
    },
  ],
};
