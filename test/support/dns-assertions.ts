import { describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import type { Lab } from '../../orchestrator/deploy/lab.js';

// What topologies/dns-hierarchy.yaml must do, whatever engine runs it: shared by dns.test.ts
// (local engine) and swarm.test.ts (overlay networks on a Swarm). dig (BIND's client) runs
// inside the lab; `ctx` is the context the lab was deployed with.
export function dnsHierarchyAssertions(LAB: string, getLab: () => Lab, ctx: () => api.Context): void {
  const addressOf = (node: string) => getLab().nodes.find((n) => n.name === node)!.interfaces[0]!.address;
  const sh = async (lab: string, node: string, command: string) => {
    const r = await api.exec(lab, node, ['sh', '-c', command], ctx());
    if (r.exitCode !== 0) throw new Error(`${node}: ${command} exited ${r.exitCode}: ${r.stderr}`);
    return r.stdout;
  };
  const runtime = { logs: (id: string, tail: number) => ctx().runtime.logs(id, tail) };
  const dig = (args: string) => sh(LAB, 'client', `dig +tries=1 +time=3 ${args}`);
  /** dig's header flags, e.g. ['qr', 'aa'] (servers that may recurse also say `ra`). */
  const flags = (r: string) => (/;; flags: ([a-z ]+);/.exec(r)?.[1] ?? '').split(' ');

  describe('authoritative servers', () => {
    it('answer with AA set and the address of the node the record names', async () => {
      const r = await dig(`@${addressOf('dns-stanford')} +norec www.stanford.edu`);
      expect(r).toMatch(/status: NOERROR/);
      expect(flags(r)).toContain('aa');
      expect(r).toMatch(new RegExp(`^www\\.stanford\\.edu\\.\\s+3600\\s+IN\\s+A\\s+${addressOf('web').replace(/\./g, '\\.')}$`, 'm'));
    });

    it('refer below a delegation: NS in authority, in-bailiwick glue in additional, no AA', async () => {
      const r = await dig(`@${addressOf('root')} +norec www.stanford.edu`);
      expect(flags(r)).not.toContain('aa');
      expect(r).toMatch(/ANSWER: 0, AUTHORITY: 1/);
      expect(r).toMatch(/^edu\.\s+3600\s+IN\s+NS\s+a\.edu-servers\.net\.$/m);
      expect(r).toMatch(new RegExp(`^a\\.edu-servers\\.net\\.\\s+3600\\s+IN\\s+A\\s+${addressOf('edu').replace(/\./g, '\\.')}$`, 'm'));
    });

    it('say NXDOMAIN with the zone\'s SOA, and NODATA for a type the name lacks', async () => {
      const nx = await dig(`@${addressOf('dns-stanford')} +norec nosuch.stanford.edu`);
      expect(nx).toMatch(/status: NXDOMAIN/);
      expect(nx).toMatch(/^stanford\.edu\.\s+\d+\s+IN\s+SOA\s+dns\.stanford\.edu\. hostmaster\.stanford\.edu\. 1 3600 600 86400 300$/m);
      const nodata = await dig(`@${addressOf('dns-stanford')} +norec www.stanford.edu MX`);
      expect(nodata).toMatch(/status: NOERROR/);
      expect(nodata).toMatch(/ANSWER: 0, AUTHORITY: 1/);
    });

    it('serve a master file: MX, CNAME, TXT, and several A records in rotating order', async () => {
      const server = `@${addressOf('dns-bbc')} +norec`;
      expect(await dig(`${server} bbc.co.uk MX +short`)).toBe('10 mail.bbc.co.uk.\n');
      expect(await dig(`${server} news.bbc.co.uk +short`)).toMatch(/^www\.bbc\.co\.uk\.\n/);
      expect(await dig(`${server} bbc.co.uk TXT +short`)).toBe('"v=spf1 -all" "lab zone"\n');
      const orders = new Set<string>();
      for (let i = 0; i < 4; i++) orders.add(await dig(`${server} www.bbc.co.uk +short`));
      expect(orders.size).toBe(2);
    });

    it('set TC when the answer does not fit the requester\'s UDP size, and serve it whole over TCP', async () => {
      const udp = await dig(`@${addressOf('dns-bbc')} +norec +notcp +ignore +bufsize=512 big.bbc.co.uk TXT`);
      expect(flags(udp)).toEqual(expect.arrayContaining(['aa', 'tc']));
      const tcp = await dig(`@${addressOf('dns-bbc')} +norec +tcp big.bbc.co.uk TXT`);
      expect(tcp).toMatch(/ANSWER: 30,/);
    });
  });

  describe('the resolver', () => {
    it('resolves for ordinary tools (resolv.conf) by walking root -> edu -> stanford, as its query log shows', async () => {
      const since = Date.now();
      expect(await sh(LAB, 'client', 'cat /etc/resolv.conf')).toContain(`nameserver ${addressOf('dns-cam')}`);
      expect(await sh(LAB, 'client', 'getent hosts www.stanford.edu')).toMatch(new RegExp(`^${addressOf('web').replace(/\./g, '\\.')}\\s+www\\.stanford\\.edu`));
      const log = (await runtime.logs(getLab().nodes.find((n) => n.name === 'dns-cam')!.id, 200)).split('\n').filter((l) => l.includes('upstream') && Date.parse(l.slice(1, 25)) >= since - 1000);
      // (getent asks for AAAA first: that lookup walks the hierarchy; the A lookup then goes straight to stanford.)
      expect(log.map((l) => /server=([^@]+)@/.exec(l)?.[1]).slice(0, 3)).toEqual(['a.root-servers.net', 'a.edu-servers.net', 'dns.stanford.edu']);
      // Warm: dig gets the answer with a TTL that has started counting down, and no new upstream query.
      await new Promise((r) => setTimeout(r, 1100));
      const warm = await dig('www.stanford.edu');
      expect(Number(/^www\.stanford\.edu\.\s+(\d+)/m.exec(warm)?.[1])).toBeLessThan(3600);
      expect(flags(warm)).toEqual(expect.arrayContaining(['rd', 'ra']));
    });

    it('follows a CNAME, and retries over TCP when the upstream answer is truncated', async () => {
      expect(await dig('cs.stanford.edu +short')).toBe(`www.stanford.edu.\n${addressOf('web')}\n`);
      const big = await dig('big.bbc.co.uk TXT');
      expect(big).toMatch(/ANSWER: 30,/);
      const log = await runtime.logs(getLab().nodes.find((n) => n.name === 'dns-cam')!.id, 200);
      expect(log).toMatch(/upstream server=ns1\.bbc\.co\.uk@[\d.]+ qname=big\.bbc\.co\.uk qtype=TXT outcome=\w+ ms=[\d.]+ proto=tcp/);
    });
  });
}
