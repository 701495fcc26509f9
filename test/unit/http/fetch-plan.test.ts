// The strategies' connection plans: which requests share a connection, which run in parallel,
// and how many TCP connections a page load opens.
import { describe, expect, it } from 'vitest';
import { planFetch, plannedConnections } from '../../../images/agent/src/http/fetch-plan.js';

const ten = Array.from({ length: 10 }, () => 'origin:80');

describe('planFetch', () => {
  it('one-at-a-time: one lane, a new connection per object (n + 1 with the page)', () => {
    const plan = planFetch('one-at-a-time', ten);
    expect(plan.page).toBe('new-per-request');
    expect(plan.lanes).toHaveLength(1);
    expect(plan.lanes[0]!.every((b) => b.use === 'new-per-request' && b.objects.length === 1)).toBe(true);
    expect(plannedConnections(plan, 'origin:80')).toBe(11);
  });

  it('persistent: every request, page included, on one keep-alive connection, one after another', () => {
    const plan = planFetch('persistent', ten);
    expect(plan.lanes).toEqual([[{ endpoint: 'origin:80', objects: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], use: 'sequential' }]]);
    expect(plannedConnections(plan, 'origin:80')).toBe(1);
  });

  it('concurrent m: m lanes of ⌈n/m⌉ or ⌊n/m⌋ one-at-a-time fetches', () => {
    const plan = planFetch('concurrent', ten, 4);
    expect(plan.lanes.map((lane) => lane.map((b) => b.objects[0]))).toEqual([[0, 4, 8], [1, 5, 9], [2, 6], [3, 7]]);
    expect(plannedConnections(plan, 'origin:80')).toBe(11);
    expect(planFetch('concurrent', ['a:80', 'a:80'], 4).lanes).toHaveLength(2);
    expect(() => planFetch('concurrent', ten, 0)).toThrow(/m >= 1/);
  });

  it('pipelined and h2: one batch written at once per endpoint, endpoints in parallel', () => {
    expect(planFetch('pipelined', ten).lanes).toEqual([[{ endpoint: 'origin:80', objects: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], use: 'pipelined' }]]);
    const mixed = ['www:80', 'cdn:80', 'www:80', 'cdn:80'];
    const h2 = planFetch('h2', mixed);
    expect(h2.lanes.map((lane) => lane.map((b) => [b.endpoint, b.objects, b.use]))).toEqual([[['www:80', [0, 2], 'multiplexed']], [['cdn:80', [1, 3], 'multiplexed']]]);
    // The page's connection (to www) carries www's objects; cdn needs its own.
    expect(plannedConnections(h2, 'www:80')).toBe(2);
  });

  it('persistent across two servers keeps one connection to each', () => {
    const plan = planFetch('persistent', ['www:80', 'cdn:80', 'cdn:80', 'www:80']);
    expect(plan.lanes[0]!.map((b) => [b.endpoint, b.objects])).toEqual([['www:80', [0]], ['cdn:80', [1, 2]], ['www:80', [3]]]);
    expect(plannedConnections(plan, 'www:80')).toBe(2);
  });
});
