// The SDP offer/answer a call needs (RFC 4566, RFC 3264): one audio stream of G.711 over RTP.
// Only what routing the media needs is read from the peer: its address, port and codecs.

export interface AudioDescription { address: string; port: number; payloadTypes: number[] }

/** G.711 µ-law and A-law, the static payload types 0 and 8 (RFC 3551). */
const CODECS: Record<number, string> = { 0: 'PCMU/8000', 8: 'PCMA/8000' };

export function audioSdp(o: { address: string; port: number; sessionId: number; payloadTypes: number[] }): string {
  const lines = [
    'v=0',
    `o=emunet ${o.sessionId} ${o.sessionId} IN IP4 ${o.address}`,
    's=emunet call',
    `c=IN IP4 ${o.address}`,
    't=0 0',
    `m=audio ${o.port} RTP/AVP ${o.payloadTypes.join(' ')}`,
    ...o.payloadTypes.filter((pt) => CODECS[pt]).map((pt) => `a=rtpmap:${pt} ${CODECS[pt]}`),
    'a=ptime:20',
    'a=sendrecv',
  ];
  return lines.join('\r\n') + '\r\n';
}

/** The first audio stream of an SDP body; throws saying what is missing. */
export function parseAudio(sdp: string): AudioDescription {
  let address: string | undefined;
  let media: AudioDescription | undefined;
  for (const line of sdp.split(/\r?\n/)) {
    const c = /^c=IN IP4 ([0-9.]+)/.exec(line);
    // A media-level c= overrides the session-level one; only the first audio stream counts.
    if (c && (media === undefined || media.address === '')) {
      if (media) media.address = c[1]!;
      else address = c[1]!;
    }
    const m = /^m=audio (\d+) RTP\/AVP ((?:\d+ ?)+)/.exec(line);
    if (m && media === undefined) media = { address: '', port: Number(m[1]), payloadTypes: m[2]!.trim().split(' ').map(Number) };
  }
  if (media === undefined) throw new Error('the SDP has no "m=audio PORT RTP/AVP …" line');
  if (media.address === '') media.address = address ?? '';
  if (media.address === '') throw new Error('the SDP has no "c=IN IP4 ADDRESS" line');
  return media;
}

/** RFC 3264 §6: answer with the first offered codec we also have, or undefined (488). */
export function chooseCodec(offer: AudioDescription): number | undefined {
  return offer.payloadTypes.find((pt) => CODECS[pt] !== undefined);
}
