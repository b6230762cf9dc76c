import { describe, expect, it } from 'vitest';
import { isUnknownService, normalizeServiceName } from '../../lib/analysis/service-name.ts';

describe('normalizeServiceName', () => {
  it.each([
    ['frontend-579b9bff58-t2dbm', 'frontend'],
    ['cart-service-7d9f8b6c5d-x2kqz', 'cart-service'],
    ['payments-3795424163-8fzsw', 'payments'], // old clusters: decimal pod-template-hash
    ['yelp_main', 'yelp-main'],
    ['Yelp-Main', 'yelp-main'],
    ['yelp_main/api_proxy', 'yelp-main'],
    ['  order service ', 'order-service'],
    ['yelp-main.mobile_api', 'yelp-main.mobile-api'],
    // Left alone: StatefulSet ordinals, words that only look like hashes, versions.
    ['db-0', 'db-0'],
    ['worker-queue-batch', 'worker-queue-batch'],
    ['api-v2', 'api-v2'],
    ['redis-master-bcdfg-hjklm', 'redis-master-bcdfg-hjklm'], // no digit in the ReplicaSet hash
    ['frontend-579b9bff58', 'frontend-579b9bff58'], // a ReplicaSet name alone is not stripped
    ['', 'unknown_service'],
    ['unknown_service:node', 'unknown_service:node'],
  ])('%s → %s', (input, want) => {
    expect(normalizeServiceName(input)).toBe(want);
  });

  it('knows the placeholder names', () => {
    expect(isUnknownService('unknown')).toBe(true);
    expect(isUnknownService('unknown_service:java')).toBe(true);
    expect(isUnknownService('frontend')).toBe(false);
  });
});
