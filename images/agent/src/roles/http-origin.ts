import { startBulkServices } from '../common/bulk-services.js';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { parseOriginConfig } from '../http/config.js';
import { Origin } from '../http/origin.js';
import { serveHttp } from '../http/server.js';
import type { AgentRole } from './role.js';

// An origin Web server: the generated sites of node.config (checked here: a bad key stops the
// agent with its path), HTTP/1.0, 1.1 and h2c on one port. Like a host it also answers echo and
// bulk, so its links can be probed. Control: `http-stats` (its counters), `http-flush` (counters
// back to zero, so each repetition counts its own requests).

let origin: Origin | undefined;

export const httpOrigin: AgentRole = {
  name: 'http-origin',
  async start(node) {
    const started = Date.now();
    const settings = parseOriginConfig(node.config, node.node);
    log(`http-origin: starting on port ${settings.port} for [${settings.sites.map((s) => s.name).join(', ')}]${settings.h2 ? ' (HTTP/1.x and h2c)' : ''}…`);
    const stops = await Promise.all([startEcho(), startBulkServices()]);
    // Whole seconds: HTTP dates have no finer resolution, and If-Modified-Since compares them.
    const running = new Origin(settings, { server: node.node, lastModified: Math.floor(started / 1000) * 1000, now: Date.now });
    const listener = await serveHttp(
      async (request) => {
        const response = await running.handle(request);
        log(`request client=${request.client} version=${request.version} method=${request.method} host=${request.headers.host ?? '-'} target=${request.target} status=${response.status}`);
        return response;
      },
      { port: settings.port, address: '0.0.0.0', h2: settings.h2, log },
    );
    origin = running;
    log(`http-origin: serving on port ${listener.port} in ${Date.now() - started} ms`);
    return () => {
      void listener.close();
      stops.forEach((stop) => stop());
    };
  },
  async control(request) {
    if (request.op !== 'http-stats' && request.op !== 'http-flush') throw new Error(`unknown control request ${JSON.stringify(request.op)} for role http-origin; known: [status, impair, http-stats, http-flush]`);
    if (!origin) throw new Error('the http-origin server has not started yet');
    if (request.op === 'http-flush') {
      for (const key of Object.keys(origin.counters) as (keyof typeof origin.counters)[]) origin.counters[key] = 0;
      return { flushed: 0 };
    }
    return { role: 'origin', counters: { ...origin.counters } };
  },
};
