import { comparisonSymbol } from './advice';
import type { AlarmFacts } from './format';

// Slack incoming-webhook payload: `text` is the fallback shown in notifications, `blocks`
// the message itself (Block Kit: header, section, context).

export type SlackText = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji?: boolean } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const ICON: Record<AlarmFacts['state'], string> = {
  ALARM: ':rotating_light:',
  OK: ':white_check_mark:',
  INSUFFICIENT_DATA: ':grey_question:',
};

/** Slack's mrkdwn needs &, < and > escaped; everything else is literal. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const md = (text: string, max = 3000): SlackText => ({ type: 'mrkdwn', text: cut(text, max) });

export function slackMessage(f: AlarmFacts, title: string, headline: string, detail: string): SlackMessage {
  const v = (n: number) => f.guide.value(n);
  const fields = [
    f.cluster && ['Cluster', f.cluster],
    f.broker && ['Broker', f.broker],
    f.value !== undefined && ['Value', v(f.value) + (f.percentOfQuota !== undefined ? ` (${f.percentOfQuota}% of quota)` : '')],
    f.counts && ['Counts', f.counts],
    ['Threshold', `${comparisonSymbol(f.comparison)}${v(f.threshold)}`],
    f.quota !== undefined && ['Quota', f.metricName.endsWith('ConnectionCount') ? v(f.quota) : `${f.quota}/s`],
    f.since && ['Since', f.since],
  ].filter((x): x is [string, string] => Array.isArray(x));
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(title, 150), emoji: true } },
    { type: 'section', text: md(escapeMrkdwn(`${headline}\n${detail}`)) },
    { type: 'section', fields: fields.map(([k, val]) => md(`*${k}*\n${escapeMrkdwn(val)}`, 2000)) },
  ];
  if (f.state === 'ALARM') {
    blocks.push({ type: 'section', text: md(`*What to do*\n${f.guide.advice.map((a) => `• ${escapeMrkdwn(a)}`).join('\n')}`) });
  }
  const context = [`Alarm \`${f.alarmName}\``, f.accountId && `account ${f.accountId}`, f.region].filter(Boolean).join(' · ');
  blocks.push({ type: 'context', elements: [md(escapeMrkdwn(context))] });
  return { text: `${ICON[f.state]} ${title}`, blocks };
}
