import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { parseGatewayConfig } from '../nat/config.js';
import { startGateway, type Gateway } from '../nat/gateway.js';
import type { AgentRole } from './role.js';

// A NAT gateway between its inside and outside networks (config: type cone | restricted |
// symmetric, inside: NETWORK — default its first network). Forwarding is the kernel's; the
// translation and filtering are iptables + conntrack in this container (images/agent/src/nat/).
// Like a router it answers echo, so paths can be probed. Control: `nat-status` (its type,
// interfaces, full-cone mappings and conntrack table).

let gateway: Gateway | undefined;

export const nat: AgentRole = {
  name: 'nat',
  async start(node) {
    const started = Date.now();
    const settings = parseGatewayConfig(node);
    log(`nat: starting a ${settings.type} NAT…`);
    gateway = await startGateway(node, settings);
    const stops = await Promise.all([startEcho(), startBulkServices()]);
    log(`nat: started in ${Date.now() - started} ms`);
    return () => {
      gateway?.stop();
      stops.forEach((stop) => stop());
    };
  },
  async control(request) {
    if (request.op !== 'nat-status') throw new Error(`unknown control request ${JSON.stringify(request.op)} for role nat; known: [status, impair, nat-status]`);
    if (!gateway) throw new Error('the NAT gateway has not started yet');
    return gateway.status();
  },
};
