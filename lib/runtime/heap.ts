// What a thread reports of its own V8 heap (the collector's threads post it; /metrics shows it).
import { getHeapStatistics } from 'node:v8';

export interface HeapFigures {
  /** Live objects and garbage not yet collected, bytes. */
  heapUsedBytes: number;
  /** Memory the heap holds from the system (in use or not), bytes. */
  heapPhysicalBytes: number;
  /** Buffers outside the heap that its objects own (ArrayBuffers, live or not yet collected), bytes. */
  externalBytes: number;
}

export function heapFigures(): HeapFigures {
  const h = getHeapStatistics();
  return { heapUsedBytes: h.used_heap_size, heapPhysicalBytes: h.total_physical_size, externalBytes: h.external_memory };
}
