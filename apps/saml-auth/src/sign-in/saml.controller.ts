import { Body, Controller, Get, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { serviceProviderMetadata } from '@identity/platform-saml';
import { SignInService } from '@identity/sso-application';
import { answerIdpLogout, redirectBindingMessage } from './idp-logout';
import { SessionCookie } from './session-cookie';
import { SignInRateGuard } from './sign-in-rate.guard';

/** `/saml2`: our entity ID, reply (ACS) URL and logout endpoint, one URL for every company. */
@Controller('saml2')
@UseGuards(SignInRateGuard)
export class SamlController {
  constructor(
    private readonly signIn: SignInService,
    private readonly cookie: SessionCookie,
  ) {}

  /** The entity ID resolves to our metadata; IdP logout messages arrive here too (Redirect binding). */
  @Get()
  async entity(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response) {
    const logoutMessage = redirectBindingMessage(query);
    if (logoutMessage === undefined) return this.metadata(response);
    await answerIdpLogout(this.signIn, this.cookie, logoutMessage, request, response);
  }

  @Get('metadata')
  metadata(@Res() response: Response) {
    response.type('application/samlmetadata+xml').send(serviceProviderMetadata(this.signIn.sp()));
  }

  /** The ACS (HTTP-POST binding), for SP- and IdP-initiated sign-in alike. */
  @Post()
  async acs(@Body() body: Record<string, unknown> | undefined, @Res() response: Response) {
    const signedIn = await this.signIn.acceptResponse(body?.SAMLResponse, body?.RelayState);
    this.cookie.set(response, signedIn.sessionSecret, signedIn.sessionExpiresAt);
    response.redirect(303, signedIn.redirectTo);
  }
}
