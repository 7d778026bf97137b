import type { PolicyValue, Statement } from './policy';

// IAM limits (IAM and AWS STS quotas): a customer managed policy holds at most 6,144 characters
// (whitespace not counted), and a role takes at most 10 managed policies unless the quota is
// raised. Inline policies share 10,240 characters per role, which 50 clusters' ARNs exceed, so
// the statements are packed into as many managed policies as they need.

export const MAX_POLICY_CHARS = 6144;
export const MAX_POLICIES_PER_ROLE = 10;

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

/** An Fn::Sub grows when CloudFormation fills in partition, region and account: count it generously. */
const SUB_ALLOWANCE = 40;
/** An Fn::GetAtt of an ARN (a queue's, say) resolves to at most about this many characters. */
const GETATT_ALLOWANCE = 120;

/** Characters IAM counts for a document once CloudFormation has resolved it (an upper bound). */
export function policySize(document: PolicyDocument): number {
  let size = 0;
  const measure = (value: unknown): unknown => {
    if (value && typeof value === 'object' && 'Fn::Sub' in value) {
      size += SUB_ALLOWANCE;
      return (value as { 'Fn::Sub': string })['Fn::Sub'];
    }
    if (value && typeof value === 'object' && 'Fn::GetAtt' in value) {
      size += GETATT_ALLOWANCE;
      return '';
    }
    return value;
  };
  size += JSON.stringify(document, (_key, value) => measure(value)).length;
  return size;
}

const empty = (): PolicyDocument => ({ Version: '2012-10-17', Statement: [] });

/**
 * Fills documents in order. A statement that does not fit the current document is split by
 * resources (Sid suffixed 1, 2, …): the first part fills the current document, the rest start new
 * ones. Throws when the role would need more than `maxPolicies`.
 */
export function packStatements(statements: Statement[], roleName: string, maxPolicies = MAX_POLICIES_PER_ROLE): PolicyDocument[] {
  const documents: PolicyDocument[] = [empty()];
  const current = () => documents[documents.length - 1]!;
  const fits = (doc: PolicyDocument, statement: Statement) => policySize({ ...doc, Statement: [...doc.Statement, statement] }) <= MAX_POLICY_CHARS;
  for (const statement of statements) {
    if (fits(current(), statement)) {
      current().Statement.push(statement);
      continue;
    }
    let n = 0;
    const part = (resources: PolicyValue[]): Statement => ({ ...statement, Sid: `${statement.Sid}${n + 1}`, Resource: resources });
    let taken: PolicyValue[] = [];
    for (const resource of statement.Resource) {
      if (fits(current(), part([...taken, resource]))) {
        taken.push(resource);
        continue;
      }
      if (taken.length) {
        current().Statement.push(part(taken));
        n++;
      }
      documents.push(empty());
      taken = [resource];
      if (!fits(current(), part(taken))) throw new Error(`${roleName} role: statement ${statement.Sid} does not fit a managed policy even with one resource`);
    }
    if (taken.length) current().Statement.push(part(taken));
  }
  if (documents.length > maxPolicies) {
    throw new Error(
      `the ${roleName} role needs ${documents.length} managed policies for this config, more than the ${maxPolicies} a role may hold (IAM's default quota is ${MAX_POLICIES_PER_ROLE}): ` +
        'split the clusters across deployments, or raise the "Managed policies per role" quota and pass --param maxPoliciesPerRole=<quota>',
    );
  }
  return documents;
}
