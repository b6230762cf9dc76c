import { Suspense } from 'react';
import { CircuitsPage } from '../../components/circuits/CircuitsPage.tsx';
import { Loading } from '../../components/ui/states.tsx';

export default function Page() {
  return (
    <Suspense fallback={<Loading label="Loading circuit breakers…" />}>
      <CircuitsPage />
    </Suspense>
  );
}
