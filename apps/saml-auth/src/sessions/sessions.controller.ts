import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { IsString, MaxLength } from 'class-validator';
import { SessionsService } from '@identity/sso-application';
import { AdminAccess, ProblemError } from '@identity/platform-service';
import { SessionCookie } from '../sign-in/session-cookie';

export class IntrospectDto {
  @IsString()
  @MaxLength(4096)
  token!: string;
}

/** For our web apps and internal services: access tokens, their public keys, introspection. */
@Controller('sso')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly cookie: SessionCookie,
  ) {}

  /** A short-lived access token for the browser's session (the cookie is SameSite=Lax: no cross-site POST carries it). */
  @Post('token')
  @HttpCode(200)
  async token(@Req() request: Request) {
    const session = await this.sessions.use(this.cookie.secretOf(request));
    if (!session) throw new ProblemError({ status: 401, title: 'not-signed-in', detail: 'no live session: sign in first' });
    return this.sessions.issueToken(session);
  }

  @Get('jwks.json')
  jwks() {
    return this.sessions.tokens.jwks();
  }

  /** Internal services ask whether a token's session still lives (deactivation ends it at once). */
  @Post('introspect')
  @HttpCode(200)
  @AdminAccess('platform')
  introspect(@Body() body: IntrospectDto) {
    return this.sessions.introspect(body.token);
  }
}
