import type { CloudWatchAlarm } from './parse';

// Which state changes deserve a message. Every alarm starts in INSUFFICIENT_DATA and moves
// to OK with its first datapoint, and ConnectionCount alarms pass through INSUFFICIENT_DATA
// while a broker restarts: with OKActions set, each of those sends an "OK" that recovers
// nothing. Only an OK that ends an ALARM is news.

export interface Delivery {
  post: boolean;
  why: string;
}

export function deliveryFor(alarm: CloudWatchAlarm): Delivery {
  if (alarm.newState === 'OK' && alarm.oldState !== 'ALARM') {
    return { post: false, why: `OK after ${alarm.oldState ?? 'unknown state'} is not a recovery` };
  }
  return { post: true, why: alarm.newState === 'OK' ? 'recovered from ALARM' : alarm.newState };
}
