// RED (rate, errors, duration) as the services page, the API and the rules read it.

export interface RedStats {
  /** Requests handled: SERVER and CONSUMER spans (the requests a service serves). */
  calls: number;
  errors: number;
  /** errors / calls, 0 when there were no calls. */
  errorRate: number;
  /** calls per second over the window. */
  ratePerSec: number;
  meanMs: number;
  p50Ms: number;
  p75Ms: number;
  p95Ms: number;
  p99Ms: number;
  /**
   * Time spent in the service itself, excluding what it waited for downstream (its own spans'
   * self time, client and producer spans excluded): total over the window, and per request.
   */
  selfTimeMs: number;
  meanSelfTimeMs: number;
  /** selfTimeMs / total request time: near 0 = a pass-through, near 1 = does its own work. */
  selfTimeShare: number;
  /** latency × rate over the window = total request time in ms; the ranking key. */
  impactMs: number;
  /** 1 = the largest impact among its peers (services, or operations). */
  impactRank: number;
}

export interface ServiceRed extends RedStats {
  service: string;
  /** Distinct operations seen (capped; see RedOptions.maxOperationsPerService). */
  operations: number;
}

export interface OperationRed extends RedStats {
  service: string;
  /** The server span's name (`GET /api/v1/orders/{id}`); `(other)` past the per-service cap. */
  operation: string;
}

export interface RedPoint {
  /** Bucket start, epoch ms (aligned to the step). */
  timeMs: number;
  calls: number;
  errors: number;
  ratePerSec: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}
