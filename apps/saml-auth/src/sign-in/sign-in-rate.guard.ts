import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemError, RateLimiter, SERVICE_CONFIG, type ServiceConfig } from '@identity/platform-service';

/**
 * Sign-in and sign-out answer anyone, before any login: each client address gets
 * SSO_RATE_LIMIT_PER_SECOND requests, in bursts of five times that (a company's employees behind one
 * NAT address signing in at nine; a sign-in is three or four requests). Above it, 429 with Retry-After, so that one host cannot keep the
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
    const wait = this.limiter.take(clientKey(request.ip ?? request.socket.remoteAddress ?? 'unknown'));
    if (wait === 0) return true;
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(wait));
    throw new ProblemError({ status: 429, title: 'rate-limited', detail: `too many sign-in requests from this address: retry in ${wait} s` });
  }
}

/** An IPv4 address, or an IPv6 address's /64: one host is handed a whole /64 and could rotate through it. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
