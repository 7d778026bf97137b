import type { HttpRequest, HttpResponse } from '@smithy/types';

/** How a service is named to a person, and the SDK's own endpoint variable for it. */
export const SERVICE_ENDPOINTS = {
  kafka: { name: 'MSK', variable: 'AWS_ENDPOINT_URL_KAFKA' },
  elbv2: { name: 'ELBv2', variable: 'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2' },
  route53: { name: 'Route 53', variable: 'AWS_ENDPOINT_URL_ROUTE_53' },
  acm: { name: 'ACM', variable: 'AWS_ENDPOINT_URL_ACM' },
  cloudwatch: { name: 'CloudWatch', variable: 'AWS_ENDPOINT_URL_CLOUDWATCH' },
  ec2: { name: 'EC2', variable: 'AWS_ENDPOINT_URL_EC2' },
  sts: { name: 'STS', variable: 'AWS_ENDPOINT_URL_STS' },
} as const;

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'build'; name: string }): void };
}

const isHtml = (error: { message?: string; $response?: HttpResponse }) =>
  /html/i.test(String(error.$response?.headers?.['content-type'] ?? '')) || /Unexpected token '<'/.test(error.message ?? '');

/**
 * An endpoint that answers a web page (an emulator without this service, a proxy's error page) makes
 * the SDK fail with "Unexpected token '<' … Deserialization error", naming nothing. This adds the
 * service, the operation, the URL and the variable to check to that message; the error is otherwise
 * the SDK's own (name, $metadata), so retries and error handling see no difference.
 */
export function nameHtmlAnswers<C extends MiddlewareClient>(client: C, service: keyof typeof SERVICE_ENDPOINTS): C {
  const { name, variable } = SERVICE_ENDPOINTS[service];
  client.middlewareStack.add(
    (next: (args: { request?: unknown }) => Promise<unknown>, context: { commandName?: string }) => async (args: { request?: unknown }) => {
      try {
        return await next(args);
      } catch (error) {
        const e = error as Error & { $response?: HttpResponse };
        if (e instanceof Error && isHtml(e)) {
          const r = args.request as HttpRequest | undefined;
          const at = r ? `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}` : 'its endpoint';
          const status = e.$response?.statusCode ? ` (HTTP ${e.$response.statusCode})` : '';
          e.message = `${name} ${(context.commandName ?? 'call').replace(/Command$/, '')} at ${at} answered HTML${status}, not an AWS response: is ${variable} (or AWS_ENDPOINT_URL) set to an endpoint that serves ${name}?`;
        }
        throw error;
      }
    },
    { step: 'build', name: 'nameHtmlAnswers' },
  );
  return client;
}
