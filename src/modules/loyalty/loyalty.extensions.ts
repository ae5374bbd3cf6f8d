/**
 * What loyalty plugs into orders and returns (their extension points; see order.points.ts and
 * returns.hooks.ts), registered by the composition root.
 */
import type { Extensions } from '../../shared/extensions.js';
import { provideRedemption } from './loyalty.redemption.js';

export function provideLoyaltyExtensions(extensions: Extensions): void {
  // Each part of loyalty adds its hooks here (earning and give-backs, redemption).
  provideRedemption(extensions);
}
