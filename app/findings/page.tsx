import { Suspense } from 'react';
import { FindingsPage } from '../../components/findings/FindingsPage.tsx';
import { Loading } from '../../components/ui/states.tsx';

export default function Page() {
  return (
    <Suspense fallback={<Loading label="Loading findings…" />}>
      <FindingsPage />
    </Suspense>
  );
}
