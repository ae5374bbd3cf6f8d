/** What the carriers module provides to others' extension points. */
import type { Extensions } from '../../shared/extensions.js';
import { DELIVERY_QUOTES } from '../orders/order.delivery.js';
import { deliveryQuotes } from './delivery.service.js';

export function provideCarrierExtensions(extensions: Extensions): void {
  extensions.provide(DELIVERY_QUOTES, deliveryQuotes);
}
