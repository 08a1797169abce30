import { readFileSync } from 'fs';
import { join } from 'path';
import { EnvironmentVariables, validateEnv } from './env.validation';

const ROOT = join(__dirname, '..', '..');
// Settings without a fixed default (unset means something, described in the README).
const OPTIONAL_SETTINGS = [
  'REDIS_PASSWORD',
  'MONGODB_USER',
  'MONGODB_PASSWORD',
  'CORS_ORIGINS',
  'AUTH_BOOTSTRAP_ADMIN_KEY',
  'METRICS_AUTH',
  'DOCS_AUTH',
  'RATE_LIMIT_TENANT_OVERRIDES',
];
const settings = Object.keys(validateEnv({})).concat(OPTIONAL_SETTINGS);

// Every setting the processes read is documented, with its real default, where operators look.
describe('configuration documentation', () => {
  const example = readFileSync(join(ROOT, '.env.example'), 'utf8');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const defaults = validateEnv({}) as unknown as Record<string, unknown>;

  it.each(settings)('should list %s in .env.example with its default', (name) => {
    const line = example.split('\n').find((l) => l.replace(/^# ?/, '').startsWith(`${name}=`));
    expect(line).toBeDefined();
    if (defaults[name] !== undefined) expect(line!.replace(/^# ?/, '')).toBe(`${name}=${String(defaults[name])}`);
  });

  it.each(settings)('should document %s in the README with its default', (name) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\``));
    expect(row).toBeDefined();
    if (defaults[name] !== undefined) expect(row).toContain(`| \`${String(defaults[name])}\` |`);
  });

  it('should know every declared setting', () => {
    expect(new Set(settings)).toEqual(new Set(Object.keys(new EnvironmentVariables()).concat(OPTIONAL_SETTINGS)));
  });
});
