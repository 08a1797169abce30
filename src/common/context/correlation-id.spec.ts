import { acceptCorrelationId } from './correlation-id';

describe(acceptCorrelationId.name, () => {
  it('should keep a sane caller id', () => {
    expect(acceptCorrelationId('req-1f2e.3d_4C')).toEqual({ id: 'req-1f2e.3d_4C', provided: true });
  });

  it.each([[undefined], [''], ['has space'], ['a'.repeat(129)], ['x\ny'], [['one', 'two']]])('should mint a fresh id for %p', (raw) => {
    const result = acceptCorrelationId(raw);

    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.provided).toBe(false);
  });
});
