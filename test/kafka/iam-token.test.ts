// The fake's MSK IAM token check against tokens from the real aws-msk-iam-sasl-signer-js.
import { describe, expect, test } from '@jest/globals';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { verifyMskIamToken } from './fake/iam-token';
import { ACCESS_KEY_ID, CREDENTIALS, staticCredentials } from './helpers';

const region = 'us-east-1';
const token = async () => (await generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: staticCredentials() })).token;
const url = (t: string) => Buffer.from(t, 'base64url').toString('utf8');
const retoken = (u: string) => Buffer.from(u, 'utf8').toString('base64url');
const check = (t: string, now = Date.now()) => verifyMskIamToken(t, { region, credentials: CREDENTIALS, now });

describe('MSK IAM token verification (fake broker side)', () => {
  test('accepts a fresh token from the real signer', async () => {
    const t = await token();
    expect(url(t)).toMatch(/^https:\/\/kafka\.us-east-1\.amazonaws\.com\/\?Action=kafka-cluster%3AConnect&/);
    const res = check(t);
    expect(res).toMatchObject({ ok: true, accessKeyId: ACCESS_KEY_ID });
    if (res.ok) expect(res.expiresAt - res.signedAt).toBe(900_000);
  });

  test('the expiry is signed: lengthening it breaks the signature', async () => {
    const t = retoken(url(await token()).replace('X-Amz-Expires=900', 'X-Amz-Expires=9000'));
    expect(check(t)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  test('the User-Agent is not signed (the signer adds it afterwards)', async () => {
    const t = retoken(url(await token()).replace(/User-Agent=[^&]*/, 'User-Agent=something-else'));
    expect(check(t)).toMatchObject({ ok: true });
  });

  test('other actions, dates and garbage are refused', async () => {
    const u = url(await token());
    expect(check(retoken(u.replace('kafka-cluster%3AConnect', 'kafka-cluster%3AAlterCluster')))).toMatchObject({ ok: false, reason: 'wrong-action' });
    expect(check(await token(), Date.now() - 10 * 60_000)).toMatchObject({ ok: false, reason: 'not-yet-valid' });
    expect(check(await token(), Date.now() + 901_000)).toMatchObject({ ok: false, reason: 'expired' });
    expect(check('not base64url!')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(check(retoken('https://kafka.us-east-1.amazonaws.com/?Action=kafka-cluster%3AConnect'))).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
