/**
 * Links to a return parcel's label for the customer's e-mail: <PUBLIC_URL>/labels/<tracking
 * number>.pdf?exp=<unix seconds>&sig=<HMAC-SHA256 of number and expiry, base64url>, signed with
 * LABEL_LINK_SECRET. The label shows the customer's address, so the link is a capability: it
 * opens that one label until it expires and nothing else. Without LABEL_LINK_SECRET the key is
 * random per process (as QUOTE_SECRET's; cluster.ts hands the workers one): links then work on
 * the instance that made them until it restarts.
 * Only RETURN parcels' labels are served this way (an outbound label is the warehouse's).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { secretEquals } from '../../shared/secret-compare.js';
import { eq } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { shipments } from './shipment.table.js';

export const LABEL_PATH_PREFIX = '/labels/';

/** One per process when LABEL_LINK_SECRET is unset: links then open only on this instance, until it restarts. */
const processSecret = randomBytes(32).toString('base64url');
export const labelLinkSecret = (configured: string | undefined): string => configured ?? processSecret;

const signature = (secret: string, trackingNumber: string, exp: number): string =>
  createHmac('sha256', secret).update(`return-label\u0000${trackingNumber}\u0000${exp}`).digest('base64url');

/** The signed link to a return parcel's label, valid LABEL_LINK_TTL_DAYS from `from`. */
export function returnLabelUrl(config: Pick<Config, 'PUBLIC_URL' | 'LABEL_LINK_SECRET' | 'LABEL_LINK_TTL_DAYS'>, trackingNumber: string, from: Date): string {
  const exp = Math.floor(from.getTime() / 1000) + config.LABEL_LINK_TTL_DAYS * 86_400;
  const sig = signature(labelLinkSecret(config.LABEL_LINK_SECRET), trackingNumber, exp);
  return `${config.PUBLIC_URL.replace(/\/$/, '')}${LABEL_PATH_PREFIX}${encodeURIComponent(trackingNumber)}.pdf?exp=${exp}&sig=${sig}`;
}

/**
 * The label PDF a signed link opens, or null (bad or expired signature, unknown
 * number, not a return parcel): every refusal looks the same to the caller.
 */
export async function returnLabelByLink(ctx: ServiceContext, link: { trackingNumber: string; exp: string | null; sig: string | null }): Promise<{ trackingNumber: string; pdf: Buffer } | null> {
  const secret = labelLinkSecret(ctx.config.LABEL_LINK_SECRET);
  const exp = Number(link.exp);
  if (!link.sig || !Number.isSafeInteger(exp) || exp * 1000 < ctx.clock.now().getTime()) return null;
  if (!secretEquals(link.sig, signature(secret, link.trackingNumber, exp))) return null;
  const [row] = await ctx.database.db
    .select({ trackingNumber: shipments.trackingNumber, direction: shipments.direction, labelFormat: shipments.labelFormat, labelContent: shipments.labelContent })
    .from(shipments)
    .where(eq(shipments.trackingNumber, link.trackingNumber));
  if (!row || row.direction !== 'RETURN' || row.labelFormat !== 'PDF') return null;
  return { trackingNumber: row.trackingNumber, pdf: Buffer.from(row.labelContent, 'base64') };
}
