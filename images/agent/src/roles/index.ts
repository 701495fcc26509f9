import type { AgentRole } from './role.js';
import { dnsResolver } from './dns-resolver.js';
import { dnsAuth, dnsRoot, dnsTld } from './dns-server.js';
import { dnsAttacker } from './dns-attacker.js';
import { dhtNode } from './dht-node.js';
import { host } from './host.js';
import { httpOrigin } from './http-origin.js';
import { httpForwardProxy, httpReverseProxy } from './http-proxy.js';
import { router } from './router.js';
import { nat } from './nat.js';
import { directoryRole } from './directory.js';
import { relayRole } from './relay.js';
import { callPeer } from './call-peer.js';
import { btPeer, btTracker, fileClient, fileServer } from './p2p.js';
import { sipProxy } from './sip-proxy.js';
import { sipUa } from './sip-ua.js';

export const roles: ReadonlyMap<string, AgentRole> = new Map([host, router, dnsRoot, dnsTld, dnsAuth, dnsResolver, dnsAttacker, sipProxy, sipUa, dhtNode, httpOrigin, httpForwardProxy, httpReverseProxy, fileServer, fileClient, btPeer, btTracker, nat, directoryRole, relayRole, callPeer].map((r) => [r.name, r]));
