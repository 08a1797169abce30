import { LookupAddress } from 'dns';
import { BlockedTargetError, guardedLookup, isBlockedAddress, webhookUrlProblem } from './webhook-target';

const STRICT = { allowHttp: false, allowPrivate: false };
const OPEN = { allowHttp: true, allowPrivate: true };

describe('webhook targets', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'fc12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    '64:ff9b::a9fe:a9fe',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it.each([
    ['http://hooks.example.com/x', 'https://'],
    ['ftp://hooks.example.com/x', 'https://'],
    ['hooks.example.com/x', 'absolute'],
    ['https://user:pw@hooks.example.com/', 'user name'],
    ['https://hooks.example.com/#frag', 'fragment'],
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://[::1]:8443/hook', 'loopback'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://10.0.0.7/hook', 'private'],
    ['https://localhost/hook', 'localhost'],
    ['https://api.localhost/hook', 'localhost'],
    ['https://localhost./hook', 'localhost'],
    [' https://hooks.example.com/', 'spaces'],
    [`https://hooks.example.com/${'a'.repeat(2048)}`, 'at most'],
  ])('refuses the URL %s', (url, problem) => {
    expect(webhookUrlProblem(url, STRICT)).toContain(problem);
  });

  it('accepts public https URLs, and private or http ones only when allowed', () => {
    expect(webhookUrlProblem('https://hooks.example.com/traffic-manager?team=a', STRICT)).toBeUndefined();
    expect(webhookUrlProblem('https://93.184.216.34:8443/hook', STRICT)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', OPEN)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', { allowHttp: true, allowPrivate: false })).toContain('loopback');
  });

  describe('the connection lookup', () => {
    const resolver = (addresses: LookupAddress[]) =>
      ((_host: string, _options: unknown, cb: (err: null, a: LookupAddress[]) => void) => cb(null, addresses)) as never;

    it('refuses a name when any of its addresses is blocked (DNS rebinding)', (done) => {
      const lookup = guardedLookup(
        false,
        resolver([
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ]),
      );
      lookup('rebind.example.com', {}, (err) => {
        expect(err).toBeInstanceOf(BlockedTargetError);
        expect(err!.message).toContain('127.0.0.1');
        done();
      });
    });

    it('passes public addresses through, one or all as asked', (done) => {
      const lookup = guardedLookup(false, resolver([{ address: '93.184.216.34', family: 4 }]));
      lookup('hooks.example.com', {}, (err, address, family) => {
        expect(err).toBeNull();
        expect([address, family]).toEqual(['93.184.216.34', 4]);
        lookup('hooks.example.com', { all: true }, (err2, all) => {
          expect(err2).toBeNull();
          expect(all).toEqual([{ address: '93.184.216.34', family: 4 }]);
          done();
        });
      });
    });

    it('allows private addresses when configured to', (done) => {
      guardedLookup(true, resolver([{ address: '127.0.0.1', family: 4 }]))('localhost', {}, (err, address) => {
        expect(err).toBeNull();
        expect(address).toBe('127.0.0.1');
        done();
      });
    });
  });
});
