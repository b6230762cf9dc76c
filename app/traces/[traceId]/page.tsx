import { Suspense } from 'react';
import { Loading } from '../../../components/ui/states.tsx';
import { TraceView } from '../../../components/waterfall/TraceView.tsx';

export const metadata = { title: 'Trace · Faultline' };

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  return (
    <Suspense fallback={<Loading label="Loading trace…" />}>
      <TraceView traceId={traceId} />
    </Suspense>
  );
}
