import { createHash } from 'node:crypto';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CONSOLE_BUNDLE } from './console.tokens';
import type { ConsoleBundle } from './console-assets';
import { CONSOLE_HEADERS, consolePage } from './console-page';
import { CONSOLE_STYLES } from './console-styles';

/**
 * Serves the console: a static page, its script and its stylesheet. Nothing here reads a cookie or
 * changes state; the console's forms call the admin REST APIs with the token in a header.
 */
@Controller('console')
export class ConsoleController {
  private readonly page: string;
  private readonly version: string;

  constructor(@Inject(CONSOLE_BUNDLE) private readonly bundle: ConsoleBundle) {
    this.version = createHash('sha256').update(bundle.script).update(CONSOLE_STYLES).digest('hex').slice(0, 12);
    this.page = consolePage(this.version);
  }

  @Get()
  index(@Res() response: Response): void {
    this.send(response, 'text/html; charset=utf-8', this.page, 'no-store');
  }

  @Get('console.js')
  script(@Res() response: Response): void {
    this.send(response, 'text/javascript; charset=utf-8', this.bundle.script, 'public, max-age=300');
  }

  @Get('console.css')
  styles(@Res() response: Response): void {
    this.send(response, 'text/css; charset=utf-8', CONSOLE_STYLES, 'public, max-age=300');
  }

  private send(response: Response, type: string, body: string, cache: string): void {
    response.set(CONSOLE_HEADERS).set('cache-control', cache).type(type).send(body);
  }
}
