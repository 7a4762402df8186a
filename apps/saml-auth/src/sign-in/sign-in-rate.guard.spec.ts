import { clientKey } from './sign-in-rate.guard';

describe('clientKey', () => {
  it('is the IPv4 address, also when it comes IPv4-mapped', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('is the /64 of an IPv6 address, however it is written', () => {
    const key = '2001:db8:12:34::/64';
    for (const address of ['2001:db8:12:34::1', '2001:0db8:0012:0034:ffff:1:2:3', '2001:DB8:12:34:0:0:0:9', '2001:db8:12:34::']) expect({ address, key: clientKey(address) }).toEqual({ address, key });
    expect(clientKey('2001:db8:12:35::1')).not.toBe(key);
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });
});
