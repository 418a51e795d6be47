import { resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { writeManifestConfiguration } from '../config/write-manifest.js';
import { ConfigError } from '../core/errors.js';
import { createLogger, loggerOptionsFromEnv } from '../observability/logger.js';
import { emulatorSwitches, localSwitchesFromEnv, sandboxSwitches } from '../runtime/local-switches.js';
import { renewalDayDecision } from '../runtime/renewal-day/renewal-day-wanted.js';
import { startPlugin } from '../runtime/start-plugin.js';
import { openDatabase, targetFromConfig } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';

const USAGE = `usage: flexcharge-mit <command>

  start            run the plugin (HTTP surface and worker); configuration from the environment.
                   With none given, it first plays a renewal day on the local emulators
                   [--subscriptions 500] [--no-demo] (RENEWAL_DAY=off skips it too); a restart
                   goes on with the day kept under DATA_DIR/renewal-day/, [--new-day] plays a new one
  migrate          apply pending database migrations and exit
  keys rotate      re-encrypt every stored secret under ENCRYPTION_KEY (old keys in ENCRYPTION_KEY_PREVIOUS)
  merchants ...    list and configure stored merchants (\`merchants --help\`)
  report ...       the finance report: a table or CSV (\`report --help\`)
  install          connect a merchant's Stripe account: webhook endpoint, signing secret (\`install --help\`)
  uninstall        remove what install made (\`uninstall --help\`)
  replay           hand over renewal failures the plugin missed (\`replay --since 6h --merchant M\`)
  tokenize         FlexCharge tokens for cards on file, through Stripe's Vault and Forward (\`tokenize --help\`)
  sandbox          run the local FlexCharge sandbox on its own [--port 7070] [--in-memory] (SANDBOX_* variables)
  emulate stripe   run the local Stripe emulator on its own [--port 12111] [--in-memory] (STRIPE_EMULATOR_* variables)
                   both keep their state under DATA_DIR unless --in-memory
  demo             a declined renewal rescued end to end, locally, in a few seconds
  manifest         rewrite manifest.json's configuration schema from the code
  help             this text`;

const logger = createLogger(loggerOptionsFromEnv(process.env));

async function main(argv: string[]): Promise<void> {
  const [command = 'help'] = argv;
  switch (command) {
    case 'start': {
      const config = loadConfig();
      // On the embedded defaults (nothing configured) the plugin tells its story first: a renewal day.
      if (renewalDayDecision(process.env, argv).play) {
        const { startWithRenewalDay } = await import('../runtime/renewal-day/start-renewal-day.js');
        // The shutdown is heard from the plugin's start on: a stop during the story keeps the day.
        await startWithRenewalDay(config, {
          argv,
          env: process.env,
          output: process.stdout,
          whenStarted: onShutdown,
        });
        return;
      }
      const plugin = await startPlugin(config, { logger });
      onShutdown(() => plugin.stop());
      return;
    }
    case 'migrate': {
      const database = await openDatabase(targetFromConfig(loadConfig()));
      try {
        const applied = await migrateToLatest(database.db);
        console.log(
          applied.length ? `applied: ${applied.map((m) => m.migrationName).join(', ')}` : 'up to date',
        );
      } finally {
        await database.close();
      }
      return;
    }
    case 'keys': {
      const { runKeysCommand } = await import('./keys-command.js');
      process.exitCode = await runKeysCommand(argv.slice(1), loadConfig(), {
        logger,
        print: (line) => console.log(line),
      });
      return;
    }
    case 'merchants': {
      const { runMerchantsCommand } = await import('./merchants-command.js');
      process.exitCode = await runMerchantsCommand(argv.slice(1), loadConfig(), {
        logger,
        print: (line) => console.log(line),
        printError: (line) => console.error(line),
      });
      return;
    }
    case 'report': {
      const { runReportCommand } = await import('./report-command.js');
      process.exitCode = await runReportCommand(argv.slice(1), loadConfig(), {
        print: (line) => console.log(line),
        printError: (line) => console.error(line),
      });
      return;
    }
    case 'tokenize': {
      const { runTokenizeCommand } = await import('./tokenize-command.js');
      process.exitCode = await runTokenizeCommand(argv.slice(1), loadConfig(), {
        logger,
        print: (line) => console.log(line),
        printError: (line) => console.error(line),
      });
      return;
    }
    case 'install':
    case 'uninstall':
    case 'replay': {
      const { runInstallCommand, runUninstallCommand } = await import('./install-command.js');
      const { runReplayCommand } = await import('./replay-command.js');
      const run = { install: runInstallCommand, uninstall: runUninstallCommand, replay: runReplayCommand }[
        command
      ];
      process.exitCode = await run(argv.slice(1), loadConfig(), {
        logger,
        print: (line) => console.log(line),
        printError: (line) => console.error(line),
      });
      return;
    }
    // The emulators and the demo are imported only when asked for: `start` loads none of their code.
    case 'sandbox': {
      const switches = sandboxSwitches(localSwitchesFromEnv());
      const { DEFAULT_SANDBOX_PORT, startFlexChargeSandbox } = await import(
        '../../adapters/flexcharge/sandbox/index.js'
      );
      const started = await startFlexChargeSandbox({
        port: portOption(argv, DEFAULT_SANDBOX_PORT),
        ...switches,
        ...standaloneStateFile(argv, 'standalone-flexcharge-sandbox.json'),
      });
      onShutdown(() => started.close());
      return;
    }
    case 'emulate': {
      if (argv[1] !== 'stripe') throw new Error('usage: flexcharge-mit emulate stripe [--port 12111]');
      const switches = emulatorSwitches(localSwitchesFromEnv());
      const { startStripeEmulator } = await import('../../adapters/stripe/emulator/index.js');
      const started = await startStripeEmulator({
        port: portOption(argv, 12111),
        ...switches,
        ...standaloneStateFile(argv, 'standalone-stripe-emulator.json'),
      });
      onShutdown(() => started.close());
      return;
    }
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      await runDemo((line) => console.log(line));
      return;
    }
    case 'manifest':
      writeManifestConfiguration();
      console.log('manifest.json configuration updated');
      return;
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      console.error(`unknown command: ${command}\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

/** The standalone emulator's or sandbox's state file under DATA_DIR, unless `--in-memory`. */
function standaloneStateFile(argv: string[], name: string): { stateFile?: string } {
  if (argv.includes('--in-memory')) return {};
  return { stateFile: resolve(loadConfig().DATA_DIR, name) };
}

function portOption(argv: string[], fallback: number): number {
  const at = argv.indexOf('--port');
  const port = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number');
  return port;
}

/** Graceful shutdown: stop taking requests, finish what is in flight, close the database. */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
