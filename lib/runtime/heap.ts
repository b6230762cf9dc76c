// What a thread reports of its own V8 heap (the collector's threads post it; /metrics shows it).
import { getHeapStatistics } from 'node:v8';

export interface HeapFigures {
  /** Live objects and garbage not yet collected, bytes. */
  heapUsedBytes: number;
  /** Memory the heap holds from the system (in use or not), bytes. */
  heapPhysicalBytes: number;
}

export function heapFigures(): HeapFigures {
  const h = getHeapStatistics();
  return { heapUsedBytes: h.used_heap_size, heapPhysicalBytes: h.total_physical_size };
}
