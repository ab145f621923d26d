import { describe, expect, it } from 'vitest';
import { RestrictedAddressError, restrictedAddressKind } from './address-policy.ts';

describe('restrictedAddressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.20', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback (in an IPv6 address)'],
    ['::ffff:7f00:1', 'loopback (in an IPv6 address)'],
    ['::FFFF:10.1.2.3', 'private (in an IPv6 address)'],
    ['64:ff9b::a9fe:a9fe', 'link-local (in an IPv6 address)'],
  ])('%s is %s', (address, kind) => {
    expect(restrictedAddressKind(address)).toBe(kind);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('%s is public', (address) => {
    expect(restrictedAddressKind(address)).toBeNull();
  });

  it('names the address, the host and the setting that allows it', () => {
    expect(new RestrictedAddressError('10.0.0.1', 'private', 'intranet.acme.test').message).toBe(
      'address 10.0.0.1 (of intranet.acme.test) is private; set SWITCHBOARD_FEEDS_ALLOW_PRIVATE=true to allow feeds on private networks',
    );
  });
});
