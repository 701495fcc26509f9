import { describe, expect, it } from 'vitest';
import { captureScript } from '../../orchestrator/capture/capture.js';

describe('capture', () => {
  it('finds the interface by its address, records its own PID, and streams whole packets unbuffered', () => {
    expect(captureScript('/run/emunet/c.pid', '10.0.0.2')).toBe(
      "mkdir -p /run/emunet && echo $$ > /run/emunet/c.pid && exec tcpdump -i \"$(ip -o -4 addr show to 10.0.0.2 | awk '{print $2; exit}')\" -U -s 0 -w -",
    );
  });

  it('captures every interface without an address, and quotes a filter safely', () => {
    expect(captureScript('/p', undefined, ['udp', "port 53 and host 'x'"])).toBe("mkdir -p /run/emunet && echo $$ > /p && exec tcpdump -i any -U -s 0 -w - 'udp' 'port 53 and host '\\''x'\\'''");
  });
});
