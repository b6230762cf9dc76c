import { Suspense } from 'react';
import { ServicesPage } from '../../components/red/ServicesPage.tsx';
import { Loading } from '../../components/ui/states.tsx';

export default function Page() {
  return (
    <Suspense fallback={<Loading label="Loading services…" />}>
      <ServicesPage />
    </Suspense>
  );
}
