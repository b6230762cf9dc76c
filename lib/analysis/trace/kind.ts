// Kinds for spans that carry none (SMELLS.md: "Spans without a kind … are classified from
// structure"). Old instrumentations, Zipkin and CSV exports leave the kind out; without this the
// graph would lose exactly the edges of the oldest (often most tangled) services.
import type { Span } from '../../model/index.ts';

export type EffectiveKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

interface ParentLike {
  service: string;
  kind: EffectiveKind;
}

/** True when the span talks to a database (any of the identifying db.* attributes is set). */
export function isDbSpan(span: Span): boolean {
  const a = span.attributes;
  return (
    a['db.system.name'] !== undefined ||
    a['db.query.text'] !== undefined ||
    a['db.collection.name'] !== undefined ||
    a['db.namespace'] !== undefined ||
    a['db.operation.name'] !== undefined
  );
}

function messagingOp(span: Span): 'send' | 'receive' | undefined {
  const a = span.attributes;
  if (a['messaging.system'] === undefined && a['messaging.destination.name'] === undefined) return undefined;
  const op = a['messaging.operation.type'];
  if (op === 'receive' || op === 'process' || op === 'deliver') return 'receive';
  return 'send';
}

export function classifyKind(span: Span, service: string, parent: ParentLike | undefined): EffectiveKind {
  switch (span.kind) {
    case 'server':
    case 'producer':
    case 'consumer':
      return span.kind;
    case 'client': {
      // Some messaging instrumentations (older Kafka, RabbitMQ) mark publish/receive as CLIENT.
      const m = messagingOp(span);
      if (m === 'send') return 'producer';
      if (m === 'receive') return 'consumer';
      return 'client';
    }
    case 'internal':
      return 'internal';
    case 'unspecified':
      break;
  }
  if (isDbSpan(span)) return 'client';
  const m = messagingOp(span);
  if (m) return m === 'send' ? 'producer' : 'consumer';
  // A root (or an orphan whose parent never arrived) is where a request entered this service.
  if (!parent) return 'server';
  if (parent.service !== service) return parent.kind === 'producer' ? 'consumer' : 'server';
  return 'internal';
}
