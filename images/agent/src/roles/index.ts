import type { AgentRole } from './role.js';
import { dnsResolver } from './dns-resolver.js';
import { dnsAuth, dnsRoot, dnsTld } from './dns-server.js';
import { dhtNode } from './dht-node.js';
import { host } from './host.js';
import { httpOrigin } from './http-origin.js';
import { httpForwardProxy, httpReverseProxy } from './http-proxy.js';
import { router } from './router.js';
import { sipProxy } from './sip-proxy.js';
import { sipUa } from './sip-ua.js';

export const roles: ReadonlyMap<string, AgentRole> = new Map([host, router, dnsRoot, dnsTld, dnsAuth, dnsResolver, sipProxy, sipUa, dhtNode, httpOrigin, httpForwardProxy, httpReverseProxy].map((r) => [r.name, r]));
