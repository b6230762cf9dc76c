'use client';
// Top navigation: marks the current page and carries the time window to the next one.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useViewState } from './use-view-state.ts';

export interface NavItem {
  href: string;
  label: string;
}

export function isActivePath(pathname: string, href: string): boolean {
  if (href === '/') return pathname === '/';
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function NavLinks({ items }: { items: readonly NavItem[] }) {
  const pathname = usePathname() ?? '/';
  const view = useViewState();
  const carry = view.carry();
  return (
    <nav className="topnav" aria-label="Main">
      {items.map((item) => (
        <Link key={item.href} href={`${item.href}${carry}`} className={isActivePath(pathname, item.href) ? 'active' : undefined} aria-current={isActivePath(pathname, item.href) ? 'page' : undefined}>
          {item.label}
        </Link>
      ))}
    </nav>
  );
}
