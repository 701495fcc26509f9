import type { RoleDescriptor } from './role.js';
import { dnsAttacker, dnsAuth, dnsResolver, dnsRoot, dnsTld } from './dns.js';
import { dhtNode } from './dht.js';
import { host } from './host.js';
import { httpForwardProxy, httpOrigin, httpReverseProxy } from './http.js';
import { router } from './router.js';
import { callPeer, directory, nat, relay } from './nat.js';
import { btPeer, btTracker, fileClient, fileServer } from './p2p.js';
import { sipProxy, sipUa } from './sip.js';

const roles = new Map<string, RoleDescriptor>([host, router, dnsRoot, dnsTld, dnsAuth, dnsResolver, dnsAttacker, sipProxy, sipUa, dhtNode, httpOrigin, httpForwardProxy, httpReverseProxy, fileServer, fileClient, btPeer, btTracker, nat, directory, relay, callPeer].map((r) => [r.name, r]));

export function knownRoles(): string[] {
  return [...roles.keys()].sort();
}

/** Looks a role up; the error lists the known ones so the user can fix the typo. */
export function getRole(name: string): RoleDescriptor {
  const role = roles.get(name);
  if (!role) {
    throw new Error(`role "${name}" is not supported. Supported roles are [${knownRoles().join(', ')}]`);
  }
  return role;
}
