import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Faultline',
  description: 'Service map, RED metrics, traces and distributed-monolith findings from OpenTelemetry data.',
};

const NAV = [
  { href: '/', label: 'Service map' },
  { href: '/services', label: 'Services' },
  { href: '/traces', label: 'Traces' },
  { href: '/findings', label: 'Findings' },
];

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <a className="brand" href="/">
            Faultline
          </a>
          <nav>
            {NAV.map((item) => (
              <a key={item.href} href={item.href}>
                {item.label}
              </a>
            ))}
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
