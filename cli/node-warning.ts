/**
 * The AWS SDK prints an 8-line NodeVersionSupportWarning once per process on Node < 22 (its
 * releases after the first week of January 2027 need Node 22). The CLI supports Node 20, so the
 * CLI, the demo and the tests turn off that one warning with the SDK's own switch; every other
 * warning still prints. A user who sets the variable to anything else sees it again.
 */
export function quietSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
