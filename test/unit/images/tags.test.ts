import { describe, expect, it } from 'vitest';
import { agentTag, bundleAgent } from '../../../orchestrator/images/agent.js';
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

  it('hash part boundaries, so moving bytes between inputs changes the hash', () => {
    expect(inputsHash(['ab', 'c'])).not.toBe(inputsHash(['a', 'bc']));
  });

  it('bundle the agent for Node 18 as one self-contained module', async () => {
    const text = (await bundleAgent()).toString();
    expect(text).not.toMatch(/from ['"]\.\.?\//); // no relative imports left
    expect(text).toContain('agent daemon');
  });
});
