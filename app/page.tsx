import { Suspense } from 'react';
import { MapPage } from '../components/service-map/MapPage.tsx';
import { Loading } from '../components/ui/states.tsx';

export default function HomePage() {
  return (
    <Suspense fallback={<Loading label="Loading the service map…" />}>
      <MapPage />
    </Suspense>
  );
}
