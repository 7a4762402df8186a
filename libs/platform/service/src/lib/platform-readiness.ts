import { ConfigurationError } from './config';

/** One service whose readiness is part of the platform's, and the URL of its own `/health/ready`. */
export interface ReadinessTarget {
  name: string;
  url: string;
}

/** A service's state as its own readiness answer gives it; a service that does not answer in time is not ready. */
export type ServiceReadiness = 'ready' | 'degraded' | 'not-ready';

export interface PlatformReadiness {
  status: 'ready' | 'not-ready';
  services: Record<string, ServiceReadiness>;
}

/** Below a load balancer's own probe timeout (2 s in the manifests), so one hung service reads as not ready, not as a hung platform. */
export const SERVICE_READINESS_TIMEOUT_MS = 1_500;

/** Asks every service at once; the platform is ready when each one answers 200 (degraded included: it still serves). */
export async function probePlatformReadiness(targets: readonly ReadinessTarget[], timeoutMs = SERVICE_READINESS_TIMEOUT_MS): Promise<PlatformReadiness> {
  const states = await Promise.all(targets.map(async (target) => [target.name, await probeService(target.url, timeoutMs)] as const));
  return { status: states.every(([, state]) => state !== 'not-ready') ? 'ready' : 'not-ready', services: Object.fromEntries(states) };
}

async function probeService(url: string, timeoutMs: number): Promise<ServiceReadiness> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (answer.status !== 200) {
      await answer.body?.cancel();
      return 'not-ready';
    }
    const body = (await answer.json().catch(() => ({}))) as { status?: unknown };
    return body.status === 'degraded' ? 'degraded' : 'ready';
  } catch {
    return 'not-ready';
  }
}

/** Reads `name=url` pairs (PLATFORM_READINESS_URLS), refusing at start-up what could never be probed. */
export function parseReadinessTargets(variable: string, entries: readonly string[]): ReadinessTarget[] {
  const problems: string[] = [];
  const targets: ReadinessTarget[] = [];
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    const name = entry.slice(0, separator).trim();
    const url = entry.slice(separator + 1).trim();
    let protocol: string | undefined;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = undefined;
    }
    if (separator <= 0 || (protocol !== 'http:' && protocol !== 'https:')) problems.push(`${variable}: "${entry}" is not name=http(s)://host/health/ready`);
    else if (targets.some((target) => target.name === name)) problems.push(`${variable}: ${name} is named twice`);
    else targets.push({ name, url });
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return targets;
}
