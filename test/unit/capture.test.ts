import { describe, expect, it } from 'vitest';
import { captureScript, firstFileInTar } from '../../orchestrator/capture/capture.js';

function tarEntry(name: string, type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'ascii');
  header.write(body.length.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  header.write(type, 156, 'ascii');
  return Buffer.concat([header, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

describe('capture', () => {
  it('finds the interface by its address, records its own PID, and writes whole packets unbuffered', () => {
    expect(captureScript('/run/emunet/c.pid', '/run/emunet/c.pcap', '10.0.0.2')).toBe(
      "mkdir -p /run/emunet && echo $$ > /run/emunet/c.pid && exec tcpdump -i \"$(ip -o -4 addr show to 10.0.0.2 | awk '{print $2; exit}')\" --immediate-mode -U -s 0 -w /run/emunet/c.pcap",
    );
  });

  it('captures every interface without an address, and quotes a filter safely', () => {
    expect(captureScript('/p', '/f', undefined, ['udp', "port 53 and host 'x'"])).toBe("mkdir -p /run/emunet && echo $$ > /p && exec tcpdump -i any --immediate-mode -U -s 0 -w /f 'udp' 'port 53 and host '\\''x'\\'''");
  });

  it('takes the file out of the engine\'s tar archive, past a PAX header', () => {
    const pcap = Buffer.from('d4c3b2a1 and 600 more bytes'.repeat(30));
    const tar = Buffer.concat([tarEntry('PaxHeader', 'x', Buffer.from('30 path=capture.pcap\n')), tarEntry('capture.pcap', '0', pcap), Buffer.alloc(1024)]);
    expect(firstFileInTar(tar)).toEqual(pcap);
    expect(() => firstFileInTar(Buffer.alloc(1024))).toThrow(/holds no file/);
  });
});
