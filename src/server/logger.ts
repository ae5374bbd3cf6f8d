import pino, { type Logger } from 'pino';
import type { Config } from '../config.js';
import { logSerializers } from './log-redaction.js';

/** Structured JSON logs (pino). */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({ level: config.LOG_LEVEL, base: { service: 'waybill' }, serializers: logSerializers });
}
