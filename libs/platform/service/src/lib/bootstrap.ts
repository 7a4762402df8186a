import { randomUUID } from 'node:crypto';
import type { Server, ServerResponse } from 'node:http';
import { Global, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { MessageBus } from '@identity/platform-messaging';
import { canonicalIds } from './canonical-ids';
import { COMMON_CONFIG, ServiceConfig } from './config';
import { ServiceInfrastructure } from './infrastructure';
import { CORRELATION_HEADER, PinoNestLogger, createLogger, runWithCorrelationId, sanitiseCorrelationId } from './logging';
import { ServiceMetrics } from './metrics';
import { OperationsController } from './operations.controller';
import { refuseDeepJson } from './json-depth';
import { FORM_REQUIRED, ProblemDetailsFilter } from './problem-details';
import type { ServiceDefinition } from './service-definition';
import { refuseNulBytes, refuseNulInForm, refuseNulInUrl, refuseUnstorableText } from './unstorable-text';
import { SERVICE_CONFIG, SERVICE_INFRASTRUCTURE, SERVICE_LOGGER, SERVICE_METRICS } from './tokens';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Embedded mode: the shared in-process bus. */
  bus?: MessageBus;
  /** Embedded mode mounts the app in a shared server instead of listening itself. */
  listen?: boolean;
  collectProcessMetrics?: boolean;
}

export interface RunningService {
  definition: ServiceDefinition;
  app: INestApplication;
  /** The Express handler of the service, for mounting behind a shared router. */
  handler: express.Express;
  infrastructure: ServiceInfrastructure;
  config: ServiceConfig;
  port?: number;
  stop(): Promise<void>;
}

/** Builds, starts and (unless embedded) serves one service. */
export async function startService(definition: ServiceDefinition, options: StartOptions = {}): Promise<RunningService> {
  const config = ServiceConfig.load([...COMMON_CONFIG, ...definition.config], options.env ?? process.env);
  const logger = createLogger(definition.name, config.string('LOG_LEVEL'));
  const metrics = new ServiceMetrics(definition.name, options.collectProcessMetrics ?? true);
  const infrastructure = new ServiceInfrastructure({
    service: definition.name,
    config,
    logger,
    metrics,
    migrations: definition.migrations,
    projections: definition.projections,
    reactions: definition.reactions ?? [],
    runsRelay: definition.runsRelay,
    bus: options.bus,
  });
  await infrastructure.start();

  @Global()
  @Module({})
  class ServiceRuntimeModule {
    static forRoot(): DynamicModule {
      return {
        module: ServiceRuntimeModule,
        controllers: [OperationsController],
        providers: [
          { provide: SERVICE_CONFIG, useValue: config },
          { provide: SERVICE_INFRASTRUCTURE, useValue: infrastructure },
          { provide: SERVICE_LOGGER, useValue: logger },
          { provide: SERVICE_METRICS, useValue: metrics },
        ],
        exports: [SERVICE_CONFIG, SERVICE_INFRASTRUCTURE, SERVICE_LOGGER, SERVICE_METRICS],
      };
    }
  }

  @Module({ imports: [ServiceRuntimeModule.forRoot(), definition.module] })
  class RootModule {}

  const server = express();
  server.disable('x-powered-by');
  server.set('trust proxy', config.int('HTTP_TRUSTED_PROXY_HOPS'));
  server.use(requestContext(logger, metrics));
  server.use(refuseNulInUrl);
  server.use(canonicalPathIds);
  for (const { path, parser } of definition.bodyParsers ?? []) server.use(path, parser);
  const bodyLimit = config.string('HTTP_BODY_LIMIT');
  server.use(express.json({ limit: bodyLimit, type: ['application/json', 'application/scim+json', 'application/*+json'], verify: refuseDeepJson, reviver: refuseUnstorableText }));
  server.use(express.text({ limit: bodyLimit, type: ['text/csv', 'text/plain'], verify: refuseNulBytes }));
  // No form bodies by default: only the paths that serve HTML forms parse them (their service's bodyParsers, with formBodyParser).

  let app: INestApplication;
  try {
    app = await NestFactory.create(RootModule, new ExpressAdapter(server), {
      logger: new PinoNestLogger(logger),
      bodyParser: false,
      abortOnError: false,
    });
    app.useGlobalFilters(new ProblemDetailsFilter(definition.errorMappers, logger, definition.errorRenderers));
    if (definition.openApi) {
      const { path, title, description } = definition.openApi;
      const document = SwaggerModule.createDocument(
        app,
        new DocumentBuilder().setTitle(title).setDescription(description).setVersion('1').addBearerAuth().build(),
      );
      SwaggerModule.setup(path, app, document, { jsonDocumentUrl: `${path}/openapi.json`, useGlobalPrefix: false });
    }
    // No app.enableShutdownHooks(): Nest would close the app on SIGTERM and then kill the process
    // with the signal again, in the middle of draining consumers and the relay. The process's
    // own handler (runServiceProcess) calls stop(), which runs the same shutdown hooks, then drains.
    await app.init();
  } catch (error) {
    await infrastructure.stop();
    throw error;
  }
  let port: number | undefined;
  if (options.listen ?? true) {
    await app.listen(config.int('PORT'), process.env.HOST ?? '0.0.0.0');
    keepConnectionsLongerThanClients(app.getHttpServer());
    const address = app.getHttpServer().address();
    port = typeof address === 'object' && address ? address.port : undefined;
    logger.info({ port, publicPrefixes: definition.publicPrefixes }, `${definition.name} listening`);
  }
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: draining requests, consumers and relay');
      await closeWithin(app, config.int('SHUTDOWN_DRAIN_MS'));
      await infrastructure.stop();
      logger.info('stopped: requests, consumers and relay drained');
    })());
  return { definition, app, handler: server, infrastructure, config, port, stop };
}

/**
 * Closes the HTTP server: new connections are refused at once, responses from then on close their
 * connection, and requests in flight get the drain time. Whatever connection is left after it (a
 * client that sends a request slowly, or never finishes it) is cut, so that the consumers and the
 * relay always get their turn to stop before the process's deadline ends it.
 */
async function closeWithin(app: INestApplication, drainMs: number): Promise<void> {
  const server = app.getHttpServer() as Server;
  // Before Express's own listener, which may answer at once (a 404, a refused URL): after it, the header would throw.
  server.prependListener('request', (_request, response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('connection', 'close');
  });
  const closing = app.close();
  const cut = setTimeout(() => server.closeAllConnections(), drainMs);
  try {
    await closing;
  } finally {
    clearTimeout(cut);
  }
}

/**
 * Idle keep-alive connections outlive the clients' and load balancers' own idle timeouts (60 s on
 * common ones), so a client never reuses a connection the server is closing at that moment.
 */
export function keepConnectionsLongerThanClients(server: { keepAliveTimeout: number; headersTimeout: number }): void {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}

/** Correlation id, one JSON log line and one histogram sample per request. */
function requestContext(logger: ReturnType<typeof createLogger>, metrics: ServiceMetrics) {
  return (request: Request, response: Response, next: NextFunction) => {
    const correlationId = sanitiseCorrelationId(request.headers[CORRELATION_HEADER]);
    response.setHeader(CORRELATION_HEADER, correlationId);
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (request.route?.path as string | undefined) ?? 'unmatched';
      metrics.httpDuration.observe({ method: request.method, route, status: String(response.statusCode) }, seconds);
      if (request.path.startsWith('/health') || request.path === '/metrics') return;
      runWithCorrelationId(correlationId, () =>
        logger.info(
          { method: request.method, path: request.path, route, status: response.statusCode, durationMs: Math.round(seconds * 1000) },
          'request',
        ),
      );
    });
    runWithCorrelationId(correlationId, next);
  };
}

/** For `main.ts`: start, stop on SIGTERM/SIGINT, and exit non-zero with a clear message on a bad start. */
export async function runServiceProcess(definition: ServiceDefinition): Promise<void> {
  try {
    const service = await startService(definition, { listen: true });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        const deadline = setTimeout(() => process.exit(1), service.config.int('SHUTDOWN_DRAIN_MS') + 5_000);
        deadline.unref();
        void service.stop().then(() => process.exit(0));
      });
    }
  } catch (error) {
    process.stderr.write(`${definition.name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

export const newCorrelationId = randomUUID;

function canonicalPathIds(request: Request, _response: Response, next: NextFunction): void {
  request.url = canonicalIds(request.url);
  next();
}

/**
 * Form bodies (`application/x-www-form-urlencoded`) for the paths that take HTML forms. A NUL in one
 * is refused with a 400, unless the route answers it itself (a sign-in page shows its form again).
 * Other bodies: `parsed-elsewhere` leaves them to the other parsers (JSON, under the platform-wide
 * limit); `refused` answers 415 before reading them; `ignored` reads and drops them under this
 * path's limit (a route that needs no body, which a client may send one anyway).
 */
export function formBodyParser(
  limit: number,
  nul: 'refused' | 'answered-by-the-route' = 'refused',
  others: 'parsed-elsewhere' | 'refused' | 'ignored' = 'parsed-elsewhere',
): express.RequestHandler {
  const parse = express.urlencoded({ limit, extended: false, ...(nul === 'refused' ? { verify: refuseNulInForm } : {}) });
  if (others === 'parsed-elsewhere') return parse;
  const drop = express.raw({ type: () => true, limit });
  return (request, response, next) => {
    // An empty body (a button's POST, say) is no body, whatever its Content-Type.
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    if (!hasBody || request.is('application/x-www-form-urlencoded')) return parse(request, response, next);
    if (others === 'refused') return next(Object.assign(new Error('the request body must be a form'), { type: FORM_REQUIRED }));
    drop(request, response, (error?: unknown) => {
      request.body = {};
      next(error);
    });
  };
}
