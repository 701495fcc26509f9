import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { systemClock } from '../sip/clock.js';
import { parseProxyConfig } from '../sip/config.js';
import { SipEndpoint } from '../sip/endpoint.js';
import { SipProxy } from '../sip/proxy.js';
import type { AgentRole } from './role.js';

// A domain's SIP registrar and stateful proxy (node.config: see parseProxyConfig) on UDP 5060.
// Control: `sip-bindings` (the location service). Also answers echo and bulk, like a host.

function sipProxyRole(): AgentRole {
  let proxy: SipProxy | undefined;
  return {
    name: 'sip-proxy',
    async start(node) {
      const address = node.interfaces[0]?.address;
      if (address === undefined) throw new Error(`sip-proxy ${node.node} has no network interface`);
      const config = parseProxyConfig(node.config, { node: node.node, address });
      const stops = await Promise.all([startEcho(), startBulkServices()]);
      log(`sip-proxy: starting for ${config.domain} on udp ${address}:${config.port}…`);
      const endpoint = await SipEndpoint.open({ bind: '0.0.0.0', port: config.port, advertise: address, clock: systemClock, timers: config.timers, log, autoTrying: true });
      proxy = new SipProxy(endpoint, config, systemClock, log);
      log(`sip-proxy: serving ${config.domain} (users: ${config.users.length > 0 ? config.users.join(', ') : 'any'}; routes: ${JSON.stringify(config.routes)})`);
      return () => {
        void endpoint.close();
        stops.forEach((stop) => stop());
      };
    },
    async control(request) {
      if (request.op !== 'sip-bindings') throw new Error(`unknown control request ${JSON.stringify(request.op)} for role sip-proxy; known: [status, impair, sip-bindings]`);
      if (!proxy) throw new Error('the sip-proxy has not started yet');
      return proxy.location.dump();
    },
  };
}

export const sipProxy = sipProxyRole();
