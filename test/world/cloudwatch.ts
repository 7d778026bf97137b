// CloudWatch metric alarms: create-or-replace by name, listing with filters and paging,
// batch delete, alarm state (for the notification path) and tags.
import {
  CloudWatchServiceException,
  InvalidNextToken,
  InvalidParameterCombinationException,
  ResourceNotFound,
  ResourceNotFoundException,
  type DeleteAlarmsCommandInput,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceCommandOutput,
  type MetricAlarm,
  type PutMetricAlarmCommandInput,
  type SetAlarmStateCommandInput,
  type StateValue,
  type TagResourceCommandInput,
  type UntagResourceCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { awsError, clone, page, tagList, tagRecord, unmodelledError, validToken, type Env, type Handlers, type Out } from './common';

interface AlarmState {
  input: PutMetricAlarmCommandInput;
  arn: string;
  state: StateValue;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedAt: Date;
  configUpdatedAt: Date;
  tags: Record<string, string>;
}

export type WorldAlarm = MetricAlarm & { tags: Record<string, string>; input: PutMetricAlarmCommandInput };

type CwError = new (opts: any) => Error;

/** CloudWatch speaks JSON in query-compatible mode: errors carry the query Code/Type too. */
function cwError(Ctor: CwError, code: string, message: string): Error {
  return awsError(Ctor, 'query', code, message);
}

function validationError(message: string): Error {
  return unmodelledError(CloudWatchServiceException, 'query', 'ValidationError', message);
}

const notNull = (field: string) => validationError(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);

function combination(message: string): Error {
  return cwError(InvalidParameterCombinationException, 'InvalidParameterCombination', message);
}

export class CloudWatchModel {
  private readonly alarmsByName = new Map<string, AlarmState>();

  constructor(private readonly env: Env) {}

  readonly handlers: Handlers = {
    PutMetricAlarmCommand: (i) => this.putMetricAlarm(i),
    DescribeAlarmsCommand: (i) => this.describeAlarms(i),
    DeleteAlarmsCommand: (i) => this.deleteAlarms(i),
    SetAlarmStateCommand: (i) => this.setAlarmStateCommand(i),
    ListTagsForResourceCommand: (i) => this.listTagsForResource(i),
    TagResourceCommand: (i) => this.tagResource(i),
    UntagResourceCommand: (i) => this.untagResource(i),
  };

  throttle(): Error {
    return unmodelledError(CloudWatchServiceException, 'query', 'Throttling', 'Rate exceeded');
  }

  // ---------------------------------------------------------------- seeding / inspection

  /** Alarms sorted by name, as DescribeAlarms shows them, plus tags and the stored input. */
  alarms(): WorldAlarm[] {
    return this.sorted().map((a) => ({ ...this.view(a), tags: { ...a.tags }, input: clone(a.input) }));
  }

  /** A foreign alarm (same validation as PutMetricAlarm). */
  putAlarm(input: PutMetricAlarmCommandInput): void {
    this.putMetricAlarm(input);
  }

  setAlarmState(name: string, state: StateValue, reason = `Set by test to ${state}`): void {
    this.setAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason });
  }

  private sorted(): AlarmState[] {
    return [...this.alarmsByName.values()].sort((a, b) => (a.input.AlarmName! < b.input.AlarmName! ? -1 : 1));
  }

  // ---------------------------------------------------------------- alarms

  private putMetricAlarm(input: PutMetricAlarmCommandInput): object {
    validateAlarm(input);
    const now = new Date(this.env.now());
    const existing = this.alarmsByName.get(input.AlarmName!);
    if (existing) {
      // An update replaces the whole configuration but keeps state; tags are ignored on update.
      existing.input = clone(input);
      existing.configUpdatedAt = now;
      return {};
    }
    this.alarmsByName.set(input.AlarmName!, {
      input: clone(input),
      arn: `arn:aws:cloudwatch:${this.env.region}:${this.env.accountId}:alarm:${input.AlarmName}`,
      state: 'INSUFFICIENT_DATA',
      stateReason: 'Unchecked: Initial alarm creation',
      stateUpdatedAt: now,
      configUpdatedAt: now,
      tags: tagRecord(input.Tags),
    });
    return {};
  }

  private view(a: AlarmState): MetricAlarm {
    const i = a.input;
    const alarm: MetricAlarm = {
      AlarmName: i.AlarmName,
      AlarmArn: a.arn,
      AlarmDescription: i.AlarmDescription,
      AlarmConfigurationUpdatedTimestamp: a.configUpdatedAt,
      ActionsEnabled: i.ActionsEnabled ?? true,
      OKActions: [...(i.OKActions ?? [])],
      AlarmActions: [...(i.AlarmActions ?? [])],
      InsufficientDataActions: [...(i.InsufficientDataActions ?? [])],
      StateValue: a.state,
      StateReason: a.stateReason,
      StateReasonData: a.stateReasonData,
      StateUpdatedTimestamp: a.stateUpdatedAt,
      StateTransitionedTimestamp: a.stateUpdatedAt,
      MetricName: i.MetricName,
      Namespace: i.Namespace,
      Statistic: i.Statistic,
      ExtendedStatistic: i.ExtendedStatistic,
      Dimensions: i.MetricName ? clone(i.Dimensions ?? []) : undefined,
      Period: i.Period,
      Unit: i.Unit,
      EvaluationPeriods: i.EvaluationPeriods,
      DatapointsToAlarm: i.DatapointsToAlarm,
      Threshold: i.Threshold,
      ComparisonOperator: i.ComparisonOperator,
      TreatMissingData: i.TreatMissingData,
      EvaluateLowSampleCountPercentile: i.EvaluateLowSampleCountPercentile,
      Metrics: i.Metrics && clone(i.Metrics),
      ThresholdMetricId: i.ThresholdMetricId,
    };
    return Object.fromEntries(Object.entries(alarm).filter(([, v]) => v !== undefined)) as MetricAlarm;
  }

  private describeAlarms(input: DescribeAlarmsCommandInput): Out<DescribeAlarmsCommandOutput> {
    const names = input.AlarmNames;
    if (names && names.length > 100) {
      throw validationError(`1 validation error detected: Value '[${names.join(', ')}]' at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100`);
    }
    if (names?.length && input.AlarmNamePrefix) throw combination('AlarmNamePrefix and AlarmNames cannot be specified together'); // approximated
    const max = input.MaxRecords ?? 50;
    if (max < 1 || max > 100) {
      throw validationError(`1 validation error detected: Value '${max}' at 'maxRecords' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`);
    }
    if (!validToken(input.NextToken)) throw cwError(InvalidNextToken, 'InvalidNextToken', 'The service cannot parse the token.'); // approximated
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    const matching = types.includes('MetricAlarm') ? this.sorted().filter((a) => alarmMatches(a, input)) : [];
    const { items, next } = page(matching, input.NextToken, max);
    return {
      MetricAlarms: items.map((a) => this.view(a)),
      ...(types.includes('CompositeAlarm') ? { CompositeAlarms: [] } : {}),
      NextToken: next,
    };
  }

  private deleteAlarms(input: DeleteAlarmsCommandInput): object {
    const names = input.AlarmNames ?? [];
    if (names.length > 100) {
      throw validationError(`1 validation error detected: Value '[${names.join(', ')}]' at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100`);
    }
    // Names that do not exist are ignored, as the real API does.
    for (const name of names) this.alarmsByName.delete(name);
    return {};
  }

  private setAlarmStateCommand(input: SetAlarmStateCommandInput): object {
    const alarm = this.alarmsByName.get(input.AlarmName ?? '');
    if (!alarm) throw cwError(ResourceNotFound, 'ResourceNotFound', `Alarm ${input.AlarmName} not found`); // approximated
    alarm.state = input.StateValue!;
    alarm.stateReason = input.StateReason ?? '';
    alarm.stateReasonData = input.StateReasonData;
    alarm.stateUpdatedAt = new Date(this.env.now());
    return {};
  }

  // ---------------------------------------------------------------- tags

  private byArn(arn: string | undefined): AlarmState {
    const alarm = [...this.alarmsByName.values()].find((a) => a.arn === arn);
    if (!alarm) throw cwError(ResourceNotFoundException, 'ResourceNotFoundException', 'The specified resource does not exist.'); // approximated
    return alarm;
  }

  private listTagsForResource(input: ListTagsForResourceCommandInput): Out<ListTagsForResourceCommandOutput> {
    return { Tags: tagList(this.byArn(input.ResourceARN).tags) };
  }

  private tagResource(input: TagResourceCommandInput): object {
    Object.assign(this.byArn(input.ResourceARN).tags, tagRecord(input.Tags));
    return {};
  }

  private untagResource(input: UntagResourceCommandInput): object {
    const tags = this.byArn(input.ResourceARN).tags;
    for (const key of input.TagKeys ?? []) delete tags[key];
    return {};
  }
}

function alarmMatches(a: AlarmState, input: DescribeAlarmsCommandInput): boolean {
  const name = a.input.AlarmName!;
  if (input.AlarmNames?.length && !input.AlarmNames.includes(name)) return false;
  if (input.AlarmNamePrefix && !name.startsWith(input.AlarmNamePrefix)) return false;
  if (input.StateValue && a.state !== input.StateValue) return false;
  if (input.ActionPrefix) {
    const actions = [...(a.input.AlarmActions ?? []), ...(a.input.OKActions ?? []), ...(a.input.InsufficientDataActions ?? [])];
    if (!actions.some((x) => x.startsWith(input.ActionPrefix!))) return false;
  }
  return true;
}

/** The checks PutMetricAlarm makes before storing anything. */
function validateAlarm(i: PutMetricAlarmCommandInput): void {
  if (!i.AlarmName) throw notNull('alarmName');
  if (i.AlarmName.length > 255) {
    throw validationError(`1 validation error detected: Value '${i.AlarmName}' at 'alarmName' failed to satisfy constraint: Member must have length less than or equal to 255`);
  }
  if (i.EvaluationPeriods === undefined) throw notNull('evaluationPeriods');
  if (i.ComparisonOperator === undefined) throw notNull('comparisonOperator');
  if (i.MetricName && i.Metrics?.length) throw combination('Metrics list and MetricName cannot both be specified'); // approximated
  if (!i.MetricName && !i.Metrics?.length) throw validationError('Either MetricName or Metrics must be specified'); // approximated
  if (i.MetricName) validateSingleMetric(i);
  if (i.Threshold === undefined && !i.ThresholdMetricId) throw validationError('Threshold or ThresholdMetricId must be specified'); // approximated
  if (i.DatapointsToAlarm !== undefined && i.DatapointsToAlarm > i.EvaluationPeriods) {
    throw validationError('DatapointsToAlarm must be less than or equal to EvaluationPeriods'); // approximated
  }
}

function validateSingleMetric(i: PutMetricAlarmCommandInput): void {
  if (!i.Namespace) throw validationError('Namespace must be specified with MetricName'); // approximated
  if (i.Statistic && i.ExtendedStatistic) throw combination('Statistic and ExtendedStatistic cannot both be specified'); // approximated
  if (!i.Statistic && !i.ExtendedStatistic) throw validationError('Either Statistic or ExtendedStatistic must be specified'); // approximated
  if (i.Period === undefined) throw notNull('period');
  if ((i.Dimensions ?? []).length > 30) {
    throw validationError("1 validation error detected: Value at 'dimensions' failed to satisfy constraint: Member must have length less than or equal to 30");
  }
}
