// A model of the little of Linux networking the impairment commands touch: per device a root
// qdisc (with one optional child), an ingress qdisc with its filters, ifb devices, and the
// iptables mangle chains. It answers each argv as the real tools do (exit code 0 or 2), so tests
// can check that applying is idempotent and that every impairment can follow any other.
import type { CommandOutcome } from '../../../orchestrator/impairment/execute.js';

interface Qdisc {
  handle: string;
  kind: string;
  options: string[];
}

interface DeviceState {
  root?: Qdisc & { child?: Qdisc & { parent: string } };
  ingress?: { filters: Map<string, string[]> };
}

export class FakeHost {
  readonly devices = new Map<string, DeviceState>();
  readonly ifbs = new Map<string, { up: boolean }>();
  readonly chains = new Map<string, string[]>();

  constructor(devices: string[]) {
    for (const dev of devices) this.devices.set(dev, {});
  }

  /** Everything, in a comparable form. */
  snapshot(): unknown {
    const byName = <T>(entries: [string, T][]) => entries.sort(([a], [b]) => a.localeCompare(b));
    const devices = byName([...this.devices]).map(([name, d]) => [name, { root: d.root, ingress: d.ingress && [...d.ingress.filters] }]);
    return { devices, ifbs: byName([...this.ifbs]), chains: byName([...this.chains].filter(([, rules]) => rules.length > 0)) };
  }

  readonly run = async (argv: string[]): Promise<CommandOutcome> => {
    try {
      this.execute(argv);
      return { exitCode: 0, stderr: '' };
    } catch (error) {
      return { exitCode: 2, stderr: (error as Error).message };
    }
  };

  private execute(argv: string[]): void {
    const [tool, ...rest] = argv;
    if (tool === 'tc') return this.tc(rest);
    if (tool === 'ip') return this.ip(rest);
    if (tool === 'iptables') return this.iptables(rest);
    throw new Error(`unknown tool ${tool}`);
  }

  private device(name: string | undefined): DeviceState {
    const device = this.devices.get(name ?? '');
    if (device === undefined) throw new Error(`Cannot find device "${name}"`);
    return device;
  }

  private tc([object, verb, , dev, ...rest]: string[]): void {
    const device = this.device(dev);
    if (object === 'filter') {
      if (verb !== 'replace' || device.ingress === undefined) throw new Error('Parent Qdisc doesn\'t exists');
      const handle = rest[rest.indexOf('handle') + 1] ?? '';
      device.ingress.filters.set(handle, rest);
      return;
    }
    const [where, ...after] = rest;
    if (verb === 'del') {
      if (where === 'root') {
        if (device.root === undefined) throw new Error('Cannot delete qdisc with handle of zero.');
        device.root = undefined;
      } else if (where === 'ingress') {
        if (device.ingress === undefined) throw new Error('Invalid handle.');
        device.ingress = undefined;
      } else {
        if (device.root?.child === undefined || `${device.root.handle}1` !== after[0]) throw new Error('Specified class not found.');
        device.root.child = undefined;
      }
      return;
    }
    if (where === 'handle' && after[1] === 'ingress') {
      device.ingress ??= { filters: new Map() };
      return;
    }
    if (where === 'root') {
      const [, handle = '', kind = '', ...options] = after;
      if (device.root?.handle === handle) {
        if (device.root.kind !== kind) throw new Error('Invalid qdisc name: must match existing qdisc.');
        device.root.options = options;
      } else {
        device.root = { handle, kind, options };
      }
      return;
    }
    const [parent = '', , handle = '', kind = '', ...options] = after;
    if (device.root === undefined || `${device.root.handle}1` !== parent) throw new Error('Specified class not found.');
    device.root.child = { parent, handle, kind, options };
  }

  private ip([object, verb, ...rest]: string[]): void {
    if (object !== 'link') throw new Error(`unknown object ${object}`);
    const name = verb === 'set' ? rest[1] : rest[0];
    const exists = name !== undefined && this.ifbs.has(name);
    if (verb === 'add') {
      if (exists) throw new Error('RTNETLINK answers: File exists');
      this.ifbs.set(name ?? '', { up: false });
      this.devices.set(name ?? '', {});
    } else if (!exists) {
      throw new Error(`Cannot find device "${name}"`);
    } else if (verb === 'del') {
      this.ifbs.delete(name);
      this.devices.delete(name);
    } else if (verb === 'set') {
      this.ifbs.set(name, { up: rest[2] === 'up' });
    }
  }

  private iptables([, table, operation, chain, ...spec]: string[]): void {
    const key = `${table} ${chain}`;
    const rules = this.chains.get(key) ?? [];
    const rule = spec.join(' ');
    const index = rules.indexOf(rule);
    if (operation === '-I') rules.unshift(rule);
    else if (operation === '-A') rules.push(rule);
    else if (index < 0) throw new Error('Bad rule (does a matching rule exist in that chain?).');
    else if (operation === '-D') rules.splice(index, 1);
    this.chains.set(key, rules);
  }
}
