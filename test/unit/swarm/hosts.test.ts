import { describe, expect, it } from 'vitest';
import { engineKind } from '../../../orchestrator/cli/engine.js';
import { dockerOptions } from '../../../orchestrator/swarm/engines.js';
import { HostsFileError, hostsFromEndpoints, parseHostsFile } from '../../../orchestrator/swarm/hosts.js';

const FILE = `
manager: h1
hosts:
  h1: { endpoint: unix:///var/run/docker.sock, labels: { zone: a } }
  h2:
    endpoint: tcp://192.0.2.3:2376
    tls: { cert-path: certs/h2 }
    labels: { zone: b, rack: 3 }
`;

describe('hosts file', () => {
  it('reads endpoints, labels, the manager and TLS files relative to itself', () => {
    const parsed = parseHostsFile(FILE, '/lab/hosts.yaml');
    expect(parsed.manager).toBe('h1');
    expect(parsed.hosts).toEqual([
      { name: 'h1', endpoint: 'unix:///var/run/docker.sock', labels: { zone: 'a' } },
      { name: 'h2', endpoint: 'tcp://192.0.2.3:2376', tls: { ca: '/lab/certs/h2/ca.pem', cert: '/lab/certs/h2/cert.pem', key: '/lab/certs/h2/key.pem' }, labels: { zone: 'b', rack: '3' } },
    ]);
  });

  it.each([
    ['hosts: {}', /hosts: expected a map of host name/],
    ['hosts: { h1: { endpoint: http://x } }', /hosts\.h1\.endpoint: expected unix:\/\/\/PATH, tcp:\/\/ADDRESS:PORT or ssh:\/\/USER@ADDRESS; found "http:\/\/x"\n  fix: write it as you would DOCKER_HOST/],
    ['hosts: { h1: { endpoint: "tcp://a:1", tls: { ca: x } } }', /hosts\.h1\.tls: expected \{ cert-path: DIR \} or \{ ca: FILE, cert: FILE, key: FILE \}/],
    ['hosts: { h1: { endpoint: "tcp://a:1", port: 3 } }', /hosts\.h1\.port: unknown key/],
    ['manager: h9\nhosts: { h1: { endpoint: "tcp://a:1" } }', /manager: expected one of the hosts \[h1\]; found "h9"/],
    ['hosts: [', /not valid YAML/],
  ])('rejects %j with what was expected and the fix', (text, message) => {
    expect(() => parseHostsFile(text, 'hosts.yaml')).toThrow(HostsFileError);
    expect(() => parseHostsFile(text, 'hosts.yaml')).toThrow(message);
  });

  it('takes a comma-separated list of endpoints (EMUNET_SWARM_HOSTS)', () => {
    expect(hostsFromEndpoints('unix:///var/run/docker.sock, tcp://192.0.2.3:2375').hosts.map((h) => [h.name, h.endpoint])).toEqual([['h1', 'unix:///var/run/docker.sock'], ['h2', 'tcp://192.0.2.3:2375']]);
    expect(() => hostsFromEndpoints('192.0.2.3')).toThrow(/endpoint "192\.0\.2\.3"/);
  });

  it('turns endpoints into dockerode options, reading TLS files only when configured', () => {
    const read = (f: string) => Buffer.from(`pem of ${f}`);
    expect(dockerOptions({ name: 'a', endpoint: 'unix:///run/docker.sock', labels: {} }, read)).toEqual({ socketPath: '/run/docker.sock' });
    expect(dockerOptions({ name: 'a', endpoint: 'tcp://192.0.2.3:2375', labels: {} }, read)).toEqual({ host: '192.0.2.3', port: 2375, protocol: 'http' });
    const tls = dockerOptions({ name: 'a', endpoint: 'tcp://192.0.2.3:2376', tls: { ca: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem' }, labels: {} }, read);
    expect(tls).toMatchObject({ host: '192.0.2.3', port: 2376, protocol: 'https', ca: Buffer.from('pem of /c/ca.pem'), key: Buffer.from('pem of /c/key.pem') });
    expect(dockerOptions({ name: 'a', endpoint: 'ssh://me@192.0.2.3', labels: {} }, read)).toMatchObject({ protocol: 'ssh', host: '192.0.2.3', username: 'me', port: 22 });
  });

  it('chooses the engine: flag, then environment, then a hosts file, then the topology', () => {
    expect(engineKind({}, {})).toBe('local');
    expect(engineKind({}, {}, 'swarm')).toBe('swarm');
    expect(engineKind({ hosts: 'h.yaml' }, {})).toBe('swarm');
    expect(engineKind({}, { EMUNET_ENGINE: 'swarm' }, 'local')).toBe('swarm');
    expect(engineKind({ engine: 'local' }, {}, 'swarm')).toBe('local');
    expect(() => engineKind({ engine: 'k8s' }, {})).toThrow(/--engine must be local or swarm; found "k8s"/);
    expect(() => engineKind({ engine: 'local', hosts: 'h.yaml' }, {})).toThrow(/contradicts --hosts/);
  });
});
