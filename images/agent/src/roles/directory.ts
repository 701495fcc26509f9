import dgram from 'node:dgram';
import { startEcho } from '../common/echo.js';
import { log } from '../common/records.js';
import { parseDirectoryConfig } from '../nat/config.js';
import { Directory } from '../nat/directory.js';
import type { AgentRole } from './role.js';

// The presence directory: users register name -> observed public address (a STUN Binding with
// a USER attribute), look each other up, and have calls put through (images/agent/src/nat/
// directory.ts). Plain STUN Binding works too (turnutils_stunclient). config: port (3478),
// lifetime (s a registration lives without a refresh, 60). Control: `directory-status`.

let directory: Directory | undefined;

export const directoryRole: AgentRole = {
  name: 'directory',
  async start(node) {
    const started = Date.now();
    const settings = parseDirectoryConfig(node);
    log(`directory: starting on udp ${settings.port}…`);
    const running = new Directory({ lifetimeMs: settings.lifetime * 1000, now: Date.now });
    const socket = dgram.createSocket('udp4');
    socket.on('message', (data, rinfo) => {
      for (const out of running.handle(data, { address: rinfo.address, port: rinfo.port })) socket.send(out.data, out.to.port, out.to.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(settings.port, resolve);
    });
    directory = running;
    const stopEcho = await startEcho();
    log(`directory: serving in ${Date.now() - started} ms`);
    return () => {
      socket.close();
      stopEcho();
    };
  },
  async control(request) {
    if (request.op !== 'directory-status') throw new Error(`unknown control request ${JSON.stringify(request.op)} for role directory; known: [status, impair, directory-status]`);
    if (!directory) throw new Error('the directory has not started yet');
    return { users: directory.registered(), counters: { ...directory.counters } };
  },
};
