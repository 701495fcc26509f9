import { describe, expect, it } from 'vitest';
import { Bitfield } from '../../../images/agent/src/p2p/bitfield.js';
import { encodeHandshake, encodeMessage, WireParser, type Handshake, type Message } from '../../../images/agent/src/p2p/wire.js';

describe('peer wire codec (BEP 3)', () => {
  it('frames a handshake and every message, and parses them back from any chunking', () => {
    const infoHash = Buffer.alloc(20, 7);
    const peerId = Buffer.from('-EM0100-abcdefghijkl');
    const messages: Message[] = [
      { type: 'bitfield', bits: Buffer.from([0b10100000]) },
      { type: 'interested' },
      { type: 'unchoke' },
      { type: 'request', index: 3, begin: 16384, length: 16384 },
      { type: 'piece', index: 3, begin: 16384, block: Buffer.from('data') },
      { type: 'have', index: 9 },
      { type: 'cancel', index: 3, begin: 0, length: 16384 },
      { type: 'keep-alive' },
      { type: 'choke' },
      { type: 'not-interested' },
    ];
    const stream = Buffer.concat([encodeHandshake(infoHash, peerId), ...messages.map(encodeMessage), Buffer.from([0, 0, 0, 3, 9, 0x1a, 0xe1])]); // + a `port` message (id 9)
    expect(encodeHandshake(infoHash, peerId).subarray(0, 20).toString('latin1')).toBe('\x13BitTorrent protocol');
    for (const size of [1, 7, 1000]) {
      const got: (Handshake | Message)[] = [];
      const parser = new WireParser({ handshake: (h) => got.push(h), message: (m) => got.push(m) });
      for (let i = 0; i < stream.length; i += size) parser.push(stream.subarray(i, i + size));
      expect(got[0]).toMatchObject({ infoHash, peerId });
      expect(got.slice(1)).toEqual([...messages, { type: 'unknown', id: 9 }]);
    }
  });

  it('refuses a stream that is not BitTorrent', () => {
    const parser = new WireParser({ handshake: () => undefined, message: () => undefined });
    expect(() => parser.push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(/not a BitTorrent handshake/);
  });

  it('reads bitfields high bit first', () => {
    const b = new Bitfield(10, Buffer.from([0b10000001, 0b01000000]));
    expect([...Array(10).keys()].filter((i) => b.has(i))).toEqual([0, 7, 9]);
    expect(b.cardinality).toBe(3);
    expect(() => new Bitfield(10, Buffer.from([1]))).toThrow(/has 2 bytes; received 1/);
  });
});
