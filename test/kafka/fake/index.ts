// The fake MSK cluster for tests: see cluster.ts for what is modelled.
export { startFakeCluster, listenerMechanisms, FAKE_CA_PEM } from './cluster';
export type { FakeCluster, FakeClusterOptions, FakeBrokerHandle, FakeBrokerInfo, FakeBrokerSpec, FakeListener } from './cluster';
export type { RecordedRequest } from './connection';
export type { CredentialStore, IamCredential } from './iam-token';
export type { ScramCredentialStore } from './scram';
export { ConfigSource, ErrorCode } from './broker-config';
