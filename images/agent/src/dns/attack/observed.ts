// The last queries a server received, with what an off-path spoofer needs to know about the
// resolver that sent them: its source port, the ID it chose and the name's case (0x20).
import dnsPacket from 'dns-packet';

export interface ObservedQuery { client: string; port: number; id: number; name: string; type: string }

export class ObservedQueries {
  private readonly queries: ObservedQuery[] = [];

  constructor(private readonly capacity: number) {}

  add(raw: Buffer, meta: { client: string; port?: number; tcp: boolean }): void {
    if (meta.tcp || meta.port === undefined) return;
    try {
      const q = dnsPacket.decode(raw);
      const question = q.questions?.[0];
      if (!question || q.type !== 'query') return;
      this.queries.push({ client: meta.client, port: meta.port, id: q.id ?? 0, name: question.name, type: question.type });
      if (this.queries.length > this.capacity) this.queries.shift();
    } catch {
      // not a DNS query: nothing to learn
    }
  }

  list(): ObservedQuery[] {
    return [...this.queries];
  }
}
