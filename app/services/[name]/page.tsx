import { Suspense } from 'react';
import { ServicePage } from '../../../components/red/ServicePage.tsx';
import { Loading } from '../../../components/ui/states.tsx';

/** Route params arrive percent-encoded; a malformed escape is shown as it came rather than crashing the page. */
function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export default async function Page({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return (
    <Suspense fallback={<Loading label="Loading service…" />}>
      <ServicePage name={decodeSegment(name)} />
    </Suspense>
  );
}
