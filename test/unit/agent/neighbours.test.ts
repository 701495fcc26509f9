import { describe, expect, it } from 'vitest';
import { pinCommands, startPinning, unpinned } from '../../../images/agent/src/common/neighbours.js';

const ARP = `IP address       HW type     Flags       HW address            Mask     Device
10.213.1.22      0x1         0x2         02:42:0a:d5:01:16     *        eth0
10.213.1.60      0x1         0x6         02:42:0a:d5:01:3c     *        eth0
10.213.1.9       0x1         0x0         00:00:00:00:00:00     *        eth0
10.213.2.7       0x1         0x2         02:42:0a:d5:02:07     *        eth1
`;

describe('pinning ARP entries (the host-wide neighbour table is capped)', () => {
  it('pins complete entries that are not permanent yet, and nothing else', () => {
    expect(unpinned(ARP)).toEqual([
      { ip: '10.213.1.22', mac: '02:42:0a:d5:01:16', dev: 'eth0' },
      { ip: '10.213.2.7', mac: '02:42:0a:d5:02:07', dev: 'eth1' },
    ]);
    expect(pinCommands(unpinned(ARP))).toBe('neigh replace 10.213.1.22 lladdr 02:42:0a:d5:01:16 dev eth0 nud permanent\nneigh replace 10.213.2.7 lladdr 02:42:0a:d5:02:07 dev eth1 nud permanent\n');
    expect(unpinned('IP address HW type Flags HW address Mask Device\n')).toEqual([]);
  });

  it('runs ip only when there is something to pin, and warns once when it cannot', async () => {
    const runs: string[] = [];
    const logs: string[] = [];
    let tick: () => Promise<void> = async () => undefined;
    let text = ARP;
    startPinning({
      read: async () => text,
      run: async (argv, input) => {
        runs.push(`${argv.join(' ')}\n${input}`);
        throw new Error('RTNETLINK answers: Operation not permitted');
      },
      every: (_ms, task) => ((tick = task), () => undefined),
      log: (l) => logs.push(l),
    });
    await tick();
    await tick();
    text = ARP.split('\n').slice(0, 1).join('\n');
    await tick();
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(/^ip -batch -\nneigh replace 10.213.1.22/);
    expect(logs).toEqual(['cannot pin ARP entries (RTNETLINK answers: Operation not permitted); large labs may overflow the host\'s neighbour table']);
  });
});
