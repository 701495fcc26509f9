import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../orchestrator/api.js';
import type { Lab } from '../../orchestrator/deploy/lab.js';
import { labObjects, readCsv, repo, sh, testContext, topologyAs } from '../support/docker.js';

// DNSSEC checked by BIND's delv with the lab's root key as its only trust anchor, and by dig
// through our validating resolver; then the shipped poisoning experiment, attacks and defences.
const LAB = 'dnssec-it';
const POISON = 'poison-lab';
let lab: Lab;
let out: string;
const emunet = (...args: string[]) => execa('node', [path.join(repo, 'bin/emunet.js'), ...args], { reject: false, cwd: repo });
const delv = (name: string, extra = '') => sh(LAB, 'dns-val', `delv @127.0.0.1 -a /etc/emunet/trust-anchors.conf +root=. ${extra} ${name} 2>&1 || true`);
const dig = (args: string) => sh(LAB, 'client', `dig +tries=1 +time=5 ${args}`);
const flags = (r: string) => (/;; flags: ([a-z ]+);/.exec(r)?.[1] ?? '').split(' ');

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'emunet-dnssec-'));
  await api.destroy(LAB, testContext());
  lab = await api.deploy(await topologyAs('topologies/dnssec-chain.yaml', LAB), testContext());
}, 240_000);
afterAll(async () => {
  await api.destroy(LAB, testContext());
  await emunet('destroy', POISON);
  await rm(out, { recursive: true, force: true });
  expect(await labObjects(LAB)).toBe(0);
  expect(await labObjects(POISON)).toBe(0);
}, 120_000);

describe('DNSSEC chain of trust', () => {
  it('delv, trusting only the lab root key, fully validates a signed name (root -> edu -> bank.edu)', async () => {
    const r = await delv('www.bank.edu');
    expect(r).toMatch(/^; fully validated$/m);
    expect(r).toMatch(/^www\.bank\.edu\.\s+\d+\s+IN\s+RRSIG\s+A 13 3 3600 \d+ \d+ \d+ bank\.edu\./m);
    expect(await delv('mail.bank.edu')).toMatch(/^; fully validated$/m);
  });

  it('a broken signature is bogus to delv and to our resolver (SERVFAIL), and CD=1 still gets the data', async () => {
    expect(await delv('bad.bank.edu', '+cdflag')).toMatch(/RRSIG failed to verify/);
    expect(await delv('bad.bank.edu', '+cdflag')).not.toMatch(/fully validated/);
    expect(await dig(`@${lab.nodes.find((n) => n.name === 'dns-val')!.interfaces[0]!.address} bad.bank.edu`)).toMatch(/status: SERVFAIL/);
    const cd = await dig('+cd bad.bank.edu');
    expect(cd).toMatch(/status: NOERROR/);
    expect(flags(cd)).not.toContain('ad');
  });

  it('our resolver sets AD on secure answers and returns the RRSIGs when DO is set; a non-validating one does not', async () => {
    const secure = await dig('+dnssec www.bank.edu');
    expect(flags(secure)).toContain('ad');
    expect(secure).toMatch(/IN\s+RRSIG\s+A 13/);
    const plain = await dig(`@${lab.nodes.find((n) => n.name === 'dns-noval')!.interfaces[0]!.address} bad.bank.edu`);
    expect(plain).toMatch(/status: NOERROR/);
    expect(flags(plain)).not.toContain('ad');
  });

  it('a name that does not exist: our resolver proves it with the signed NSECs (AD on NXDOMAIN), and delv validates the denial through it', async () => {
    const nx = await dig('+dnssec nosuch.bank.edu');
    expect(nx).toMatch(/status: NXDOMAIN/);
    expect(flags(nx)).toContain('ad');
    expect(nx).toMatch(/^bank\.edu\.\s+\d+\s+IN\s+NSEC\s+/m); // no wildcard *.bank.edu
    expect(nx).toMatch(/IN\s+RRSIG\s+NSEC 13/);
    const d = await delv('nosuch.bank.edu');
    expect(d).toMatch(/^; negative response, fully validated$/m);
    expect(d).toMatch(/NXDOMAIN/);
    const nodata = await dig('+dnssec www.bank.edu TXT');
    expect(nodata).toMatch(/status: NOERROR/);
    expect(flags(nodata)).toContain('ad');
    expect(await delv('www.bank.edu', '-t TXT')).toMatch(/^; negative response, fully validated$/m);
  });

  it('an unsigned zone under a signed parent is insecure (edu proves shop.edu has no DS): an answer, without AD', async () => {
    const plain = await dig('+dnssec www.shop.edu');
    expect(plain).toMatch(/status: NOERROR/);
    expect(flags(plain)).not.toContain('ad');
    expect(await delv('www.shop.edu')).toMatch(/^; unsigned answer$/m);
  });

  it('authoritative servers deny with signed NSEC records, and publish the child DS in the parent', async () => {
    const bank = lab.nodes.find((n) => n.name === 'dns-bank')!.interfaces[0]!.address;
    const nx = await dig(`@${bank} +norec +dnssec nosuch.bank.edu`);
    expect(nx).toMatch(/status: NXDOMAIN/);
    expect(nx).toMatch(/IN\s+NSEC\s+/);
    expect(nx).toMatch(/IN\s+RRSIG\s+NSEC 13/);
    const edu = lab.nodes.find((n) => n.name === 'edu')!.interfaces[0]!.address;
    expect(await dig(`@${edu} +norec bank.edu DS`)).toMatch(/^bank\.edu\.\s+\d+\s+IN\s+DS\s+\d+ 13 2 [0-9A-F ]+$/m);
  });
});

describe('shipped poisoning experiment', () => {
  it('poisons the undefended resolver both ways, bailiwick stops the additional-section attack, DNSSEC stops both', async () => {
    const started = Date.now();
    const r = await emunet('run', 'topologies/dns-poisoning.yaml', '--out', out, '--set', 'experiment.repeat=1', '--set', 'params.attempts=10', '--filter', 'params.resolver=r-none,r-bailiwick,r-dnssec', '--filter', 'params.rate=4000');
    expect(Date.now() - started).toBeLessThan(180_000);
    expect(r.exitCode, r.stderr).toBe(0);
    const all = await readCsv(path.join(path.dirname(/measurements: (.*)/.exec(r.stdout)![1]!), 'measurements.csv'));
    const rows = all.filter((m) => m.metric === 'dns_poisoned');
    const poisoned = (resolver: string, method: string) => rows.filter((m) => m['params.resolver'] === resolver && m.detail!.startsWith(`method=${method}`)).map((m) => Number(m.value));
    expect(poisoned('r-none', 'additional')).toEqual([1]);
    expect(poisoned('r-none', 'spoof')).toEqual([1]);
    expect(poisoned('r-bailiwick', 'additional')).toEqual([0]);
    expect(poisoned('r-bailiwick', 'spoof')).toEqual([1]);
    expect(poisoned('r-dnssec', 'additional')).toEqual([0]);
    expect(poisoned('r-dnssec', 'spoof')).toEqual([0]);
    // Zero successes with DNSSEC is not zero tries: every attempt was flooded with forged answers.
    const ofDnssec = (metric: string) => Number(all.find((m) => m.metric === metric && m['params.resolver'] === 'r-dnssec')!.value);
    expect(ofDnssec('dns_poison_attempts')).toBe(10);
    expect(ofDnssec('dns_forged_packets')).toBeGreaterThan(2000);
  }, 600_000);
});
