import { HealthIndicatorService } from '@nestjs/terminus';
import { InvalidationBus } from './invalidation-bus';
import { InvalidationChannelHealthIndicator } from './invalidation-channel.health';

describe('InvalidationChannelHealthIndicator', () => {
  const indicatorFor = (downSince: Date | null) =>
    new InvalidationChannelHealthIndicator({ downSince } as unknown as InvalidationBus, new HealthIndicatorService());

  it('should be up, naming the channel, while subscribed', () => {
    expect(indicatorFor(null).check()).toEqual({ invalidation_channel: { status: 'up', channel: 'tm:v1:invalidate' } });
  });

  it('should be down since the subscription was lost, saying what that costs', () => {
    const since = new Date('2026-12-04T13:00:00.000Z');

    expect(indicatorFor(since).check('channel')).toEqual({
      channel: {
        status: 'down',
        channel: 'tm:v1:invalidate',
        down_since: '2026-12-04T13:00:00.000Z',
        message: 'Not subscribed to tm:v1:invalidate: in-process caches are bypassed (resolve reads Redis) until it is back',
      },
    });
  });
});
