import { Suspense } from 'react';
import { TraceSearch } from '../../components/traces/TraceSearch.tsx';
import { Loading } from '../../components/ui/states.tsx';

export const metadata = { title: 'Traces · Faultline' };

export default function TracesPage() {
  return (
    <Suspense fallback={<Loading />}>
      <TraceSearch />
    </Suspense>
  );
}
