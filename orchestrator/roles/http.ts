import type { RoleDescriptor } from './role.js';

// Web roles: the agent serves HTTP on TCP (origin: port 80, HTTP/1.0, 1.1 and h2c; forward
// proxy: 3128; reverse proxy: 80). Their settings (sites, cache size, the origin a reverse proxy
// fronts) are node.config, checked by the agent at start-up (images/agent/src/http/config.ts),
// so these only say what the container needs.
const httpRole = (name: string, summary: string): RoleDescriptor => ({ name, summary, forwards: false, capabilities: ['NET_ADMIN', 'NET_RAW'], sysctls: {} });

export const httpOrigin = httpRole('http-origin', 'a Web origin server: generated sites of n objects by Host (config: sites), conditional GET, HTTP/1.0, 1.1 and h2c');
export const httpForwardProxy = httpRole('http-forward-proxy', 'a caching forward proxy near clients (port 3128; clients send absolute URLs; config: cache-size)');
export const httpReverseProxy = httpRole('http-reverse-proxy', 'a caching reverse proxy in front of an origin (config: origin, cache-size)');
