import { describe, expect, it } from 'vitest';
import { MasterFileError, parseMasterFile } from '../../../orchestrator/dns/master-file.js';
import { recordValue } from '../../../orchestrator/dns/records.js';

describe('master files (RFC 1035 section 5)', () => {
  it('read $ORIGIN, $TTL, @, relative and absolute names, blank owners, TTL/class in either order, parentheses and comments', () => {
    const text = [
      '$TTL 600 ; ten minutes',
      '@   IN SOA ns1 hostmaster ( 1',
      '        3600 600 86400 60 )',
      'www 300 IN A 10.0.0.1',
      '    IN 60 A 10.0.0.2',
      '$ORIGIN sub.example.org.',
      'host A 10.0.0.3',
      'alias.example.org. CNAME host',
      'txt TXT "a; b" "c"',
    ].join('\n');
    const records = parseMasterFile(text, 'example.org', 3600);
    expect(records.map((r) => [r.owner, r.ttl, r.type, r.fields.join('|'), r.origin, r.line])).toEqual([
      ['example.org', 600, 'SOA', 'ns1|hostmaster|1|3600|600|86400|60', 'example.org', 2],
      ['www.example.org', 300, 'A', '10.0.0.1', 'example.org', 4],
      ['www.example.org', 60, 'A', '10.0.0.2', 'example.org', 5],
      ['host.sub.example.org', 600, 'A', '10.0.0.3', 'sub.example.org', 7],
      ['alias.example.org', 600, 'CNAME', 'host', 'sub.example.org', 8],
      ['txt.sub.example.org', 600, 'TXT', 'a; b|c', 'sub.example.org', 9],
    ]);
    // A relative target is relative to the $ORIGIN in force where it was written.
    expect(recordValue('CNAME', 'host', 'sub.example.org', [])).toEqual({ data: 'host.sub.example.org' });
  });

  it('say where a file is wrong', () => {
    const at = (text: string) => {
      try {
        parseMasterFile(text, 'x.org', 60);
      } catch (e) {
        return `${(e as MasterFileError).line}:${(e as MasterFileError).col} ${(e as Error).message}`;
      }
      return 'parsed';
    };
    expect(at('www A 1.2.3.4\nbad ( A 1.2.3.4')).toBe('2:1 "(" is never closed');
    expect(at('  A 1.2.3.4')).toMatch(/^1:1 the first record has no owner/);
    expect(at('www IN')).toMatch(/^1:1 expected a record type/);
    expect(at('www CH A 1.2.3.4')).toMatch(/^1:5 class CH is not served/);
    expect(at('$INCLUDE other')).toMatch(/^1:1 \$INCLUDE is not supported/);
  });
});

describe('record values', () => {
  it('parse into the agents\' data, with A by lab node name', () => {
    expect(recordValue('A', 'web', 'x.org', ['web'])).toEqual({ node: 'web' });
    expect(recordValue('MX', '10 mail', 'x.org', [])).toEqual({ data: { preference: 10, exchange: 'mail.x.org' } });
    expect(recordValue('SRV', '0 5 5060 sip.x.org.', 'x.org', [])).toEqual({ data: { priority: 0, weight: 5, port: 5060, target: 'sip.x.org' } });
    expect(() => recordValue('A', 'wbe', 'x.org', ['web'])).toThrow(/IPv4 address or the name of a lab node; found "wbe" \(nodes: \[web\]\)/);
    expect(() => recordValue('MX', 'mail', 'x.org', [])).toThrow(/PREFERENCE EXCHANGE/);
  });
});
