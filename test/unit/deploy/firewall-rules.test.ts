import { describe, expect, it } from 'vitest';
import { allowBridgeRule, bridgeName, deleteRuleArgs } from '../../../orchestrator/deploy/firewall-rules.js';

const listing = `-N DOCKER-USER
-A DOCKER-USER -i br-aaaaaaaaaaaa -o br-aaaaaaaaaaaa -m comment --comment emunet.lab=hello -j ACCEPT
-A DOCKER-USER -i br-bbbbbbbbbbbb -o br-bbbbbbbbbbbb -m comment --comment "emunet.lab=other" -j ACCEPT
-A DOCKER-USER -i br-cccccccccccc -j DROP
-A DOCKER-USER -j RETURN
`;

describe('host firewall rules', () => {
  it('accepts only traffic that enters and leaves the same lab bridge, tagged with the lab', () => {
    expect(allowBridgeRule('hello', 'br-aaaaaaaaaaaa')).toEqual(['-I', 'DOCKER-USER', '-i', 'br-aaaaaaaaaaaa', '-o', 'br-aaaaaaaaaaaa', '-m', 'comment', '--comment', 'emunet.lab=hello', '-j', 'ACCEPT']);
  });

  it("deletes exactly one lab's rules, leaving the user's own", () => {
    expect(deleteRuleArgs(listing, 'hello')).toEqual([['-D', 'DOCKER-USER', '-i', 'br-aaaaaaaaaaaa', '-o', 'br-aaaaaaaaaaaa', '-m', 'comment', '--comment', 'emunet.lab=hello', '-j', 'ACCEPT']]);
  });

  it('deletes every lab rule for --all, and never a rule without an emunet comment', () => {
    const all = deleteRuleArgs(listing);
    expect(all).toHaveLength(2);
    expect(all.flat()).not.toContain('DROP');
    expect(deleteRuleArgs(listing, 'hell')).toEqual([]);
  });

  it('names the bridge as Docker does', () => {
    expect(bridgeName('0123456789abcdef0123')).toBe('br-0123456789ab');
  });
});
