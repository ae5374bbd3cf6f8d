/** The extension points the tracking module declares. */
import { ExtensionKey } from '../../shared/extensions.js';

/** Limits anonymous lookups of unknown tracking numbers per client (the composition root provides it). */
export interface TrackingGuard {
  consumeMiss(clientIp: string): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}
export const TRACKING_GUARD = new ExtensionKey<TrackingGuard>('shipping.trackingGuard');
