import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { systemClock } from '../sip/clock.js';
import { parseUaConfig } from '../sip/config.js';
import { SipEndpoint } from '../sip/endpoint.js';
import { UserAgent } from '../sip/ua.js';
import type { AgentRole } from './role.js';

// A SIP phone (node.config: see parseUaConfig): registers with its domain's proxy, answers calls,
// and places them when the `sip-call` workload asks through the control socket:
// `sip-register` (one REGISTER, timed), `sip-options` ({to}: one OPTIONS, timed) and
// `sip-call` ({to, durationMs, timeoutMs} -> CallResult).

const REGISTER_ATTEMPTS = 5;

function sipUaRole(): AgentRole {
  let ua: UserAgent | undefined;
  return {
    name: 'sip-ua',
    async start(node) {
      const address = node.interfaces[0]?.address;
      if (address === undefined) throw new Error(`sip-ua ${node.node} has no network interface`);
      const config = parseUaConfig(node.config);
      const stops = await Promise.all([startEcho(), startBulkServices()]);
      const endpoint = await SipEndpoint.open({ bind: '0.0.0.0', port: config.port, advertise: address, clock: systemClock, timers: config.timers, log });
      const agent = new UserAgent(endpoint, config, systemClock, config.timers, log);
      ua = agent;
      if (config.register) {
        // The proxy may still be starting: ready means registered, so calls placed right after deploy find the callee.
        for (let attempt = 1; ; attempt++) {
          const r = await agent.register();
          log(`sip-ua: REGISTER ${agent.aor} via ${config.proxy.host}: ${r.status} ${r.reason} in ${r.ms.toFixed(1)} ms`);
          if (r.status >= 200 && r.status < 300) break;
          if (attempt === REGISTER_ATTEMPTS) throw new Error(`sip-ua ${agent.aor}: registration with ${config.proxy.host} failed ${attempt} times, last with ${r.status} ${r.reason}; check the proxy's domain and users`);
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      }
      return () => {
        agent.stop();
        void endpoint.close();
        stops.forEach((stop) => stop());
      };
    },
    async control(request) {
      if (!ua) throw new Error('the sip-ua has not started yet');
      if (request.op === 'sip-register') return ua.register();
      if (request.op === 'sip-options') {
        if (typeof request.to !== 'string') throw new Error('sip-options needs {to: URI}');
        return ua.options(request.to);
      }
      if (request.op === 'sip-call') {
        const { to, durationMs, timeoutMs } = request as { to?: unknown; durationMs?: unknown; timeoutMs?: unknown };
        if (typeof to !== 'string' || typeof durationMs !== 'number' || typeof timeoutMs !== 'number') throw new Error('sip-call needs {to: URI, durationMs, timeoutMs}');
        return ua.call(to, { durationMs, timeoutMs });
      }
      throw new Error(`unknown control request ${JSON.stringify(request.op)} for role sip-ua; known: [status, impair, sip-register, sip-options, sip-call]`);
    },
  };
}

export const sipUa = sipUaRole();
