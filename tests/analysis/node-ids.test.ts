import { describe, expect, it } from 'vitest';
import { databaseNodeId, externalNodeId, queueNodeId } from '../../lib/analysis/graph/node-ids.ts';
import { span } from './helpers.ts';

describe('node ids (the graph and the findings name resources the same way)', () => {
  it('databases by identity, or per caller when the spans do not say', () => {
    const known = span({ id: 'a', service: 'Orders_Svc', kind: 'client', attrs: { 'db.system.name': 'mysql', 'server.address': 'db', 'server.port': 3306, 'db.namespace': 'shop' } });
    expect(databaseNodeId(known)).toBe('db:mysql|db:3306|shop');
    const bare = span({ id: 'b', service: 'Orders_Svc', kind: 'client', attrs: { 'db.system.name': 'redis' } });
    expect(databaseNodeId(bare)).toBe('db:redis||@orders-svc');
    expect(databaseNodeId(span({ id: 'c', service: 'x', kind: 'client', attrs: { 'service.peer.name': 'mysql' } }))).toBe('db:mysql||@x');
    expect(databaseNodeId(span({ id: 'd', service: 'x', kind: 'client', attrs: { 'server.address': 'api' } }))).toBeUndefined();
  });

  it('external peers by name, unnamed ones per caller; databases are not externals', () => {
    expect(externalNodeId(span({ id: 'a', service: 'x', kind: 'client', attrs: { 'server.address': '10.0.0.7', 'server.port': 8080 } }))).toBe('ext:10.0.0.7:8080');
    expect(externalNodeId(span({ id: 'b', service: 'x', kind: 'client' }))).toBe('ext:unknown@x');
    expect(externalNodeId(span({ id: 'c', service: 'x', kind: 'client', attrs: { 'db.query.text': 'select 1' } }))).toBeUndefined();
  });

  it('topics by system and destination, filled from the other half', () => {
    const p = span({ id: 'p', service: 'a', kind: 'producer', attrs: { 'messaging.system': 'Kafka' } });
    const c = span({ id: 'c', service: 'b', kind: 'consumer', attrs: { 'messaging.destination.name': 'orders' } });
    expect(queueNodeId(p, c)).toBe('queue:kafka|orders');
    expect(queueNodeId(p)).toBe('queue:kafka|');
  });
});
