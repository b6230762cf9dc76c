// Next.js configuration for the Faultline dashboard.
// Pages get a per-request nonce Content-Security-Policy from proxy.ts (lib/web/csp.ts). The
// API answers JSON only, so its policy forbids everything.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // `npm run typecheck` checks the whole package (CLI, collector, lib) in one place; the
  // dashboard build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // Native and server-only packages stay out of the bundle.
  serverExternalPackages: ['better-sqlite3', '@prisma/client', '@prisma/adapter-better-sqlite3'],
  async headers() {
    return [
      {
        source: '/api/:path*',
        headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }],
      },
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
