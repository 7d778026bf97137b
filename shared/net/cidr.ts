// IPv4 CIDR membership, for deciding which broker IPs lie outside the load balancer's VPC.

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = ipv4ToNumber(ip);
  const start = ipv4ToNumber(base ?? '');
  const prefix = Number(bits);
  if (n === undefined || start === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(n / size) === Math.floor(start / size);
}

export function inAnyCidr(ip: string, cidrs: readonly string[]): boolean {
  return cidrs.some((c) => inCidr(ip, c));
}

/** Whether two IPv4 blocks share an address (one holds the other's first address). */
export function cidrsOverlap(a: string, b: string): boolean {
  const base = (cidr: string) => cidr.split('/')[0] ?? '';
  return inCidr(base(a), b) || inCidr(base(b), a);
}
