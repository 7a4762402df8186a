import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import { probePlatformReadiness, type PlatformReadiness, type ReadinessTarget } from '@identity/platform-service';
import { PLATFORM_READINESS_TARGETS } from './console.tokens';

/** How long one round of probes answers every caller: the public origin's readiness is not a way to multiply requests. */
export const PLATFORM_READINESS_REUSE_MS = 1_000;

/**
 * The platform's readiness, for the public origin: the Ingress sends `/health/ready` here
 * (its own pods keep their own `/health/ready` for their probes). Ready when every service is.
 */
@Controller('health/platform')
export class PlatformHealthController {
  private latest?: { at: number; answer: Promise<PlatformReadiness> };

  constructor(@Inject(PLATFORM_READINESS_TARGETS) private readonly targets: readonly ReadinessTarget[]) {}

  @Get()
  async ready(@Res() response: Response): Promise<void> {
    if (this.targets.length === 0) throw new NotFoundException('the platform’s readiness is not answered here');
    const now = Date.now();
    if (!this.latest || now - this.latest.at >= PLATFORM_READINESS_REUSE_MS) this.latest = { at: now, answer: probePlatformReadiness(this.targets) };
    const readiness = await this.latest.answer;
    response.status(readiness.status === 'ready' ? 200 : 503).set('cache-control', 'no-store').json(readiness);
  }
}
