// IPv4 addresses as unsigned 32-bit integers, and CIDR blocks over them. Pure, no dependency.

/** A CIDR as written: `address` may have host bits set (10.0.0.5/24); see `isCanonical`. */
export interface Cidr {
  address: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

/** Dotted quad -> integer; undefined unless it is exactly four decimal octets 0..255. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
}

/** `a.b.c.d/n` -> Cidr; undefined for anything else (including a missing `/n`). */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([0-9.]+)\/(3[0-2]|[12]?[0-9])$/.exec(text);
  if (!match) return undefined;
  const address = parseIpv4(match[1] ?? '');
  return address === undefined ? undefined : { address, prefix: Number(match[2]) };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.address)}/${cidr.prefix}`;
}

/** Number of addresses in a block of this prefix length (256 for /24). */
export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function networkAddress(cidr: Cidr): number {
  const size = blockSize(cidr.prefix);
  return Math.floor(cidr.address / size) * size;
}

export function broadcastAddress(cidr: Cidr): number {
  return networkAddress(cidr) + blockSize(cidr.prefix) - 1;
}

/** The same block with its host bits cleared: 10.0.0.5/24 -> 10.0.0.0/24. */
export function canonical(cidr: Cidr): Cidr {
  return { address: networkAddress(cidr), prefix: cidr.prefix };
}

export function isCanonical(cidr: Cidr): boolean {
  return cidr.address === networkAddress(cidr);
}

/** The n-th address of the block counting the network address as 0 (n = 1 is the first host). */
export function nthAddress(cidr: Cidr, n: number): number {
  return networkAddress(cidr) + n;
}

export function contains(cidr: Cidr, address: number): boolean {
  return address >= networkAddress(cidr) && address <= broadcastAddress(cidr);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return networkAddress(a) <= broadcastAddress(b) && networkAddress(b) <= broadcastAddress(a);
}
