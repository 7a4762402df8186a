import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CONTROL_CHARACTERS } from '@identity/platform-saml';
import { SessionsService, SIGNED_IN_PATH, SignInService } from '@identity/sso-application';
import { escapeHtml, sendPage, sendSignOutConfirmation } from './html-pages';
import { answerIdpLogout, redirectBindingMessage } from './idp-logout';
import { SessionCookie } from './session-cookie';
import { SignInRateGuard } from './sign-in-rate.guard';

/** What employees see: the sign-in page (username, then off to their company's IdP) and sign-out. */
@Controller('sso')
@UseGuards(SignInRateGuard)
export class SignInPagesController {
  constructor(
    private readonly signIn: SignInService,
    private readonly sessions: SessionsService,
    private readonly cookie: SessionCookie,
  ) {}

  @Get('login')
  loginPage(@Query('relayState') relayState: unknown, @Res() response: Response) {
    this.loginForm(response, 200, typeof relayState === 'string' ? relayState : '');
  }

  /** SP-initiated: the username finds the company; an AuthnRequest goes to its IdP (HTTP-Redirect). */
  @Post('login')
  async startByUserName(@Body() body: Record<string, unknown> | undefined, @Res() response: Response) {
    const userName = typeof body?.username === 'string' ? body.username.trim() : '';
    const relayState = typeof body?.relayState === 'string' ? body.relayState : '';
    if (userName.length === 0 || userName.length > 256 || CONTROL_CHARACTERS.test(userName)) return this.loginForm(response, 400, relayState, 'Enter your work username, for example adele.vance@contoso.com.');
    response.redirect(303, await this.signIn.startForUserName(userName, relayState));
  }

  /** A company's own sign-on URL (Azure's "Sign on URL", the portal's Test button with it set). */
  @Get('login/:tenantId')
  async startForTenant(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query('relayState') relayState: unknown, @Res() response: Response) {
    response.redirect(303, await this.signIn.startForTenant(tenantId, relayState));
  }

  /**
   * A link of our own (the console's "Sign out") signs out at once. A link on another site would
   * reach here with the session cookie too (it is SameSite=Lax), so it gets a button to confirm:
   * no page elsewhere can sign anyone out. Browsers that do not say where a request comes from
   * (Sec-Fetch-Site) get the button as well. This is also the Logout URL admins give Azure AD: its
   * logout messages are answered as at `/saml2`.
   */
  @Get('logout')
  async logoutGet(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response) {
    const idpMessage = redirectBindingMessage(query);
    if (idpMessage !== undefined) return answerIdpLogout(this.signIn, this.cookie, idpMessage, request, response);
    if (request.get('sec-fetch-site') === 'same-origin') return this.logout(request, response);
    sendSignOutConfirmation(response);
  }

  @Post('logout')
  async logout(@Req() request: Request, @Res() response: Response) {
    const next = await this.signIn.signOut(this.cookie.secretOf(request));
    this.cookie.clear(response);
    response.redirect(303, next);
  }

  @Get('signed-in')
  async signedIn(@Req() request: Request, @Res() response: Response) {
    const session = await this.sessions.live(this.cookie.secretOf(request));
    if (!session) return response.redirect(303, `/sso/login?relayState=${encodeURIComponent(SIGNED_IN_PATH)}`);
    sendPage(
      response,
      200,
      'Signed in',
      `<h1>You are signed in</h1><p>Signed in as <strong>${escapeHtml(session.userName)}</strong>.</p>` +
        `<form method="post" action="/sso/logout"><button type="submit">Sign out</button></form>`,
    );
  }

  @Get('signed-out')
  signedOut(@Res() response: Response) {
    sendPage(response, 200, 'Signed out', `<h1>You are signed out</h1><p><a href="/sso/login">Sign in again</a></p>`);
  }

  private loginForm(response: Response, status: number, relayState: string, problem?: string) {
    sendPage(
      response,
      status,
      'Sign in',
      `<h1>Sign in with your company account</h1>` +
        (problem ? `<p role="alert" id="problem">${escapeHtml(problem)}</p>` : '') +
        `<form method="post" action="/sso/login"><label for="username">Work username</label>` +
        `<input id="username" name="username" type="text" inputmode="email" autocapitalize="none" spellcheck="false" autocomplete="username" required autofocus${problem ? ' aria-describedby="problem"' : ''}>` +
        `<input type="hidden" name="relayState" value="${escapeHtml(relayState)}">` +
        `<button type="submit">Continue</button></form>`,
    );
  }
}
