import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ServiceInfrastructure } from './infrastructure';
import type { ServiceMetrics } from './metrics';
import { SERVICE_INFRASTRUCTURE, SERVICE_METRICS } from './tokens';

/** Liveness, readiness and Prometheus metrics, the same on every service. */
@Controller()
export class OperationsController {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(SERVICE_METRICS) private readonly metrics: ServiceMetrics,
  ) {}

  @Get('health/live')
  @HttpCode(200)
  live() {
    return { status: 'live' };
  }

  @Get('health/ready')
  async ready(@Res() response: Response) {
    const { ready, checks } = await this.infrastructure.readiness();
    const degraded = Object.values(checks).some((state) => state !== 'up');
    response.status(ready ? 200 : 503).json({ status: ready ? (degraded ? 'degraded' : 'ready') : 'not-ready', checks });
  }

  @Get('metrics')
  async prometheus(@Res() response: Response) {
    response.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
