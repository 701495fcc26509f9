import { describe, expect, it } from 'vitest';
import { agentTag, bundleAgent, hostNodeRuntime } from '../../../orchestrator/images/agent.js';
import { inputsHash } from '../../../orchestrator/images/hash.js';

describe('image tags', () => {
  it('are the same for the same inputs, so nothing unchanged is rebuilt', async () => {
    const bundle = await bundleAgent();
    expect(await agentTag('sha256:base', bundle)).toBe(await agentTag('sha256:base', await bundleAgent()));
  });

  it('change when the agent sources or the base change', async () => {
    const bundle = await bundleAgent();
    const tag = await agentTag('sha256:base', bundle);
    expect(await agentTag('sha256:base', Buffer.concat([bundle, Buffer.from('\n// edited')]))).not.toBe(tag);
    expect(await agentTag('sha256:other-base', bundle)).not.toBe(tag);
  });

  it('change with the Node.js the agents run on', async () => {
    const bundle = await bundleAgent();
    const node20 = { path: '/usr/bin/node', version: 'v20.20.2', size: 98932688 };
    const tag = await agentTag('sha256:base', bundle, node20);
    expect(tag).not.toBe(await agentTag('sha256:base', bundle));
    expect(tag).not.toBe(await agentTag('sha256:base', bundle, { ...node20, version: 'v20.20.3' }));
    expect(tag).toBe(await agentTag('sha256:base', bundle, { ...node20, path: '/elsewhere/node' }));
  });

  it('ship the host\'s Node.js only when it is a self-contained build with a startup snapshot', async () => {
    const variables = process.config.variables as { node_shared?: boolean; node_use_node_snapshot?: boolean };
    const runtime = await hostNodeRuntime();
    if (variables.node_shared || !variables.node_use_node_snapshot) expect(runtime).toBeUndefined();
    else expect(runtime).toMatchObject({ path: process.execPath, version: process.version });
  });

  it('hash part boundaries, so moving bytes between inputs changes the hash', () => {
    expect(inputsHash(['ab', 'c'])).not.toBe(inputsHash(['a', 'bc']));
  });

  it('bundle the agent for Node 18 as one self-contained module', async () => {
    const text = (await bundleAgent()).toString();
    expect(text).not.toMatch(/from ['"]\.\.?\//); // no relative imports left
    expect(text).toContain('agent daemon');
  });
});
