import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Suspense } from 'react';
import { NavLinks } from '../components/ui/NavLinks.tsx';
import { TimeWindowPicker } from '../components/ui/TimeWindowPicker.tsx';
import { FaroTelemetry } from '../components/telemetry/FaroTelemetry.tsx';
import { selfTelemetryConfig } from '../components/telemetry/faro-config.ts';
import { AdaptedWindowNotice } from '../components/ui/AdaptedWindowNotice.tsx';
import { DEFAULT_COLLECTOR_URL } from '../components/ui/collector-context.tsx';
import { Providers } from './providers.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: 'Faultline',
  description: 'Service map, RED metrics, traces and distributed-monolith findings from OpenTelemetry data.',
};

// The collector address in empty states comes from the running server (serve sets it), not the build.
export const dynamic = 'force-dynamic';

const NAV = [
  { href: '/', label: 'Service map' },
  { href: '/services', label: 'Services' },
  { href: '/traces', label: 'Traces' },
  { href: '/findings', label: 'Findings' },
  { href: '/circuits', label: 'Circuits' },
];

export default function RootLayout({ children }: { children: ReactNode }) {
  const collectorUrl = process.env.FAULTLINE_COLLECTOR_URL ?? DEFAULT_COLLECTOR_URL;
  // The dashboard reports its own browser telemetry to its collector (FAULTLINE_SELF_TELEMETRY=off disables it).
  const telemetry = selfTelemetryConfig(process.env, collectorUrl);
  return (
    <html lang="en">
      <body>
        <Providers collectorUrl={collectorUrl}>
          <FaroTelemetry config={telemetry} />
          <header className="topbar">
            <a className="brand" href="/">
              <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
                <path d="M2 14 L7 4 L10 10 L12 7 L16 14" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" strokeLinecap="round" />
              </svg>
              Faultline
            </a>
            <Suspense fallback={<nav className="topnav" />}>
              <NavLinks items={NAV} />
            </Suspense>
            <div className="topbar-right">
              <Suspense fallback={null}>
                <TimeWindowPicker />
              </Suspense>
            </div>
          </header>
          <Suspense fallback={null}>
            <AdaptedWindowNotice />
          </Suspense>
          <main className="main">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
