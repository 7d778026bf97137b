// Reads the datapoint values out of a CloudWatch NewStateReason. Two shapes exist:
//   "Threshold Crossed: 1 out of the last 1 datapoints [2450.0 (26/11/22 10:15:00)] was greater than or equal to ..."
//   "Threshold Crossed: 1 datapoint (10.0) was greater than or equal to the threshold (1.0)."   (older alarms)
// Datapoints are listed most recent first.

const NUMBER = '(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)';

/** All datapoint values in the reason, most recent first; [] when none are quoted. */
export function reasonDatapoints(reason: string): number[] {
  const list = /datapoints? \[([^\]]*)\]/.exec(reason);
  if (list) {
    return [...list[1]!.matchAll(new RegExp(`${NUMBER} \\(`, 'g'))].map((m) => Number(m[1]));
  }
  const single = new RegExp(`datapoints? \\(${NUMBER}\\)`).exec(reason);
  return single ? [Number(single[1])] : [];
}

/** The most recent value quoted in the reason. */
export function reasonValue(reason: string): number | undefined {
  return reasonDatapoints(reason)[0];
}
