import { validateEnv } from './env.validation';
import { parseTenantOverrides } from './rate-limit-overrides';

describe(parseTenantOverrides.name, () => {
  it('should read one limit per tenant and class, ignoring blanks around entries', () => {
    expect(parseTenantOverrides(' team-a:writes=100, team-a:reads=120000,team_b.x:writes=1 ,')).toEqual({
      overrides: [
        { tenant: 'team-a', limitClass: 'writes', limit: 100 },
        { tenant: 'team-a', limitClass: 'reads', limit: 120000 },
        { tenant: 'team_b.x', limitClass: 'writes', limit: 1 },
      ],
    });
    expect(parseTenantOverrides('')).toEqual({ overrides: [] });
  });

  it.each([
    ['team-a=100', 'is not <tenant>:<reads|writes>=<limit>'],
    ['team-a:writes:100', 'is not <tenant>:<reads|writes>=<limit>'],
    ['team a:writes=1', 'the tenant must be 1-128 characters'],
    ['..:writes=1', 'the tenant must be 1-128 characters'],
    ['team-a:deletes=1', 'the class must be reads or writes'],
    ['team-a:writes=0', 'the limit must be a whole number from 1 to 100000000'],
    ['team-a:writes=1.5', 'the limit must be a whole number'],
    ['team-a:writes=many', 'the limit must be a whole number'],
    ['team-a:writes=1,team-a:writes=2', '"team-a:writes" is given twice'],
  ])('should refuse %j', (text, problem) => {
    expect(parseTenantOverrides(text).problem).toContain(problem);
  });

  it('should stop the process at boot with a message naming the variable and the entry', () => {
    expect(() => validateEnv({ RATE_LIMIT_TENANT_OVERRIDES: 'team-a:writes=10,team-b:write=5' })).toThrow(
      /RATE_LIMIT_TENANT_OVERRIDES="team-a:writes=10,team-b:write=5": "team-b:write=5": the class must be reads or writes/,
    );
  });

  it('should default to 1,200 writes and 60,000 reads per tenant per minute, without overrides', () => {
    expect(validateEnv({})).toMatchObject({ RATE_LIMIT_WINDOW_MS: 60_000, RATE_LIMIT_READS: 60_000, RATE_LIMIT_WRITES: 1200 });
    expect(validateEnv({}).RATE_LIMIT_TENANT_OVERRIDES).toBeUndefined();
  });
});
