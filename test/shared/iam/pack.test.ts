import { describe, expect, test } from '@jest/globals';
import { MAX_POLICY_CHARS, packStatements, policySize } from '../../../shared/iam/pack';
import type { Statement } from '../../../shared/iam/policy';

// Packing a role's statements into managed policies that IAM accepts.

const arn = (i: number) => `arn:aws:kafka:eu-west-1:123456789012:cluster/orders-${i}/6f1c2a9e-8d3b-4c7a-9e51-0a1b2c3d${String(i).padStart(4, '0')}-2`;
const statement = (sid: string, count: number): Statement => ({
  Sid: sid,
  Effect: 'Allow',
  Action: ['kafka:DescribeClusterV2'],
  Resource: Array.from({ length: count }, (_, i) => arn(i)),
});

describe('packStatements', () => {
  test('small statements share one policy, in order', () => {
    const docs = packStatements([statement('A', 2), statement('B', 3)], 'test');
    expect(docs).toHaveLength(1);
    expect(docs[0]!.Statement.map((s) => s.Sid)).toEqual(['A', 'B']);
  });

  test('a statement too long for one policy is split by resources, every part within the limit, no resource lost', () => {
    const big = statement('Clusters', 200);
    const docs = packStatements([big], 'test');
    expect(docs.length).toBeGreaterThan(2);
    for (const doc of docs) expect(policySize(doc)).toBeLessThanOrEqual(MAX_POLICY_CHARS);
    const parts = docs.flatMap((d) => d.Statement);
    expect(parts.map((s) => s.Sid)).toEqual(parts.map((_, i) => `Clusters${i + 1}`));
    expect(parts.flatMap((s) => s.Resource)).toEqual(big.Resource);
  });

  test('Fn::Sub values are counted with room for what CloudFormation fills in', () => {
    const literal = policySize({ Version: '2012-10-17', Statement: [{ ...statement('A', 0), Resource: ['arn:aws:logs:eu-west-1:123456789012:log-group:x'] }] });
    const sub = policySize({ Version: '2012-10-17', Statement: [{ ...statement('A', 0), Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:x' }] }] });
    expect(sub).toBeGreaterThan(literal);
  });

  test('more policies than the role may hold is a packaging error that says what to do', () => {
    expect(() => packStatements([statement('Clusters', 200)], 'resync', 2)).toThrow(
      /^the resync role needs \d+ managed policies for this config, more than the 2 a role may hold \(IAM's default quota is 10\): split the clusters across deployments/,
    );
  });
});
