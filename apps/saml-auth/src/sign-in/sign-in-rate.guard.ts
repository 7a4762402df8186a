import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemError, RateLimiter, SERVICE_CONFIG, type ServiceConfig } from '@identity/platform-service';

/**
 * Sign-in and sign-out answer anyone, before any login: each client address gets
 * SSO_RATE_LIMIT_PER_SECOND requests, in bursts of five times that (a company's employees behind one
 * NAT address signing in at nine). Above it, 429 with Retry-After, so that one host cannot keep the
 * signature checks busy for everyone.
 */
@Injectable()
export class SignInRateGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    const rate = config.int('SSO_RATE_LIMIT_PER_SECOND');
    this.limiter = new RateLimiter(rate, rate * 5);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const wait = this.limiter.take(request.ip ?? request.socket.remoteAddress ?? 'unknown');
    if (wait === 0) return true;
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(wait));
    throw new ProblemError({ status: 429, title: 'rate-limited', detail: `too many sign-in requests from this address: retry in ${wait} s` });
  }
}
