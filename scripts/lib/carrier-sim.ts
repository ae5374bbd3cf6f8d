/**
 * How the demo carriers behave, for the seed's 90-day history and the sandbox carrier simulator:
 * how often each is late, fails a courier attempt or returns a parcel, and the events a parcel
 * goes through (LABEL_CREATED -> IN_TRANSIT at sorting centres -> OUT_FOR_DELIVERY or
 * AT_PICKUP_POINT -> DELIVERED, sometimes FAILED_ATTEMPT or RETURNED_TO_SENDER). Places are
 * city-level only, as public tracking shows them. Pure: time and randomness come in as arguments.
 */
import { addBusinessDays, type DispatchCalendar } from '../../src/modules/carriers/calendar.js';
import type { ShipmentStatusValue } from '../../src/modules/shipments/shipment.table.js';
import type { Prng } from './prng.js';

export interface CarrierProfile {
  /** Share of parcels delivered after the promised window (1 to 3 business days over the maximum transit). */
  late: number;
  /** Share of courier deliveries with a failed first attempt. */
  failedAttempt: number;
  /** Share of parcels returned to the sender (not collected, or two failed attempts). */
  returned: number;
}

/** Per carrier code; real carriers differ, and carrierPerformance should show it. */
export const CARRIER_PROFILES: Readonly<Record<string, CarrierProfile>> = {
  OWN: { late: 0.03, failedAttempt: 0.03, returned: 0.004 },
  CDEK: { late: 0.08, failedAttempt: 0.06, returned: 0.01 },
  BOXBERRY: { late: 0.15, failedAttempt: 0.07, returned: 0.015 },
  RUSSIAN_POST: { late: 0.26, failedAttempt: 0.05, returned: 0.025 },
};
const DEFAULT_PROFILE: CarrierProfile = { late: 0.1, failedAttempt: 0.05, returned: 0.01 };
export const profileOf = (carrierCode: string): CarrierProfile => CARRIER_PROFILES[carrierCode] ?? DEFAULT_PROFILE;

/** Moscow time (UTC+3, no DST since 2014): every demo warehouse and the carriers' working day. */
const MSK_OFFSET_MS = 3 * 3_600_000;
export const RU_CALENDAR: DispatchCalendar = { timezone: 'Europe/Moscow', cutoffTime: '14:00', countryCode: 'RU' };
export const mskDate = (t: Date): string => new Date(t.getTime() + MSK_OFFSET_MS).toISOString().slice(0, 10);
/** The instant of local Moscow time `hours` (fractional) on a local date. */
export const atMsk = (localDate: string, hours: number): Date => new Date(Date.parse(`${localDate}T00:00:00Z`) - MSK_OFFSET_MS + Math.round(hours * 3_600_000));

export interface PlannedEvent {
  status: ShipmentStatusValue;
  occurredAt: Date;
  location: string;
  description: string;
}

export interface TimelineInput {
  carrierCode: string;
  deliveryType: 'COURIER' | 'PICKUP_POINT' | 'PARTNER';
  transitDaysMin: number;
  transitDaysMax: number;
  /** When the label was created (the parcel left the warehouse). */
  shippedAt: Date;
  originCity: string;
  destinationCity: string;
}

/**
 * The whole life of a parcel after its label, drawn from the carrier's profile: the times are
 * business days after the dispatch date (Russian public holidays skipped), at plausible hours.
 */
export function parcelTimeline(input: TimelineInput, r: Prng): PlannedEvent[] {
  const p = profileOf(input.carrierCode);
  const out: PlannedEvent[] = [];
  const push = (status: ShipmentStatusValue, at: Date, location: string, description: string) => {
    // Strictly increasing: a shipment's status is its latest event by occurredAt.
    const last = out[out.length - 1]?.occurredAt.getTime() ?? input.shippedAt.getTime();
    out.push({ status, occurredAt: new Date(Math.max(at.getTime(), last + 60_000)), location, description });
  };
  const dispatch = mskDate(input.shippedAt);
  const span = input.transitDaysMax - input.transitDaysMin;
  const late = r.next() < p.late;
  // Most parcels arrive early in the window; late ones 1 to 3 business days after it.
  const days = late ? input.transitDaysMax + (r.next() < 0.6 ? 1 : r.next() < 0.7 ? 2 : 3) : input.transitDaysMin + Math.floor(r.next() ** 1.4 * (span + 1));
  const arrival = addBusinessDays(dispatch, days, RU_CALENDAR);
  const shipH = (input.shippedAt.getTime() + MSK_OFFSET_MS) / 3_600_000 % 24;
  const local = input.originCity === input.destinationCity;

  if (days === 0) {
    // Same-day courier: straight from the warehouse.
    push('OUT_FOR_DELIVERY', atMsk(dispatch, shipH + 1 + r.next()), input.destinationCity, 'Передано курьеру');
  } else {
    push('IN_TRANSIT', atMsk(dispatch, Math.max(shipH + 2, 17) + r.next() * 3), `${input.originCity}, сортировочный центр`, 'Принято в сортировочном центре');
    if (!local) {
      const leaves = addBusinessDays(dispatch, Math.min(1, days - 1), RU_CALENDAR);
      push('IN_TRANSIT', atMsk(leaves, leaves === dispatch ? 22 + r.next() : 6 + r.next() * 4), input.originCity, `Отправлено в г. ${input.destinationCity}`);
      push('IN_TRANSIT', atMsk(arrival, 3 + r.next() * 3), `${input.destinationCity}, сортировочный центр`, 'Прибыло в сортировочный центр города получателя');
    }
  }
  if (input.deliveryType === 'PICKUP_POINT') {
    const ready = atMsk(arrival, 9 + r.next() * 5);
    push('AT_PICKUP_POINT', ready, input.destinationCity, 'Поступило в пункт выдачи, ожидает получателя');
    if (r.next() < p.returned * 3) {
      push('RETURNED_TO_SENDER', atMsk(addBusinessDays(arrival, 7, RU_CALENDAR), 10 + r.next() * 6), input.destinationCity, 'Срок хранения истёк, возврат отправителю');
      return out;
    }
    // Collected the same day mostly, some the next day, a few later.
    const x = r.next();
    const after = x < 0.62 ? 0 : x < 0.9 ? 1 : 2 + Math.floor(r.next() * 3);
    const day = after ? addBusinessDays(arrival, after, RU_CALENDAR) : arrival;
    const h = after ? 10 + r.next() * 10 : Math.min(21.5, (ready.getTime() - Date.parse(`${arrival}T00:00:00Z`) + MSK_OFFSET_MS) / 3_600_000 + 1 + r.next() * 6);
    push('DELIVERED', atMsk(day, h), input.destinationCity, 'Вручено получателю в пункте выдачи');
    return out;
  }
  let day = arrival;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0 || days > 0) push('OUT_FOR_DELIVERY', atMsk(day, 8 + r.next() * 2.5), input.destinationCity, 'Передано курьеру');
    if (r.next() >= p.failedAttempt * (attempt ? 2 : 1)) {
      push('DELIVERED', atMsk(day, Math.max(11, days === 0 && !attempt ? shipH + 2.5 : 11) + r.next() * 8), input.destinationCity, 'Вручено получателю');
      return out;
    }
    push('FAILED_ATTEMPT', atMsk(day, 12 + r.next() * 7), input.destinationCity, 'Получатель отсутствовал, доставка перенесена');
    if (attempt === 1) {
      push('RETURNED_TO_SENDER', atMsk(addBusinessDays(day, 2, RU_CALENDAR), 11 + r.next() * 5), input.destinationCity, 'Две неудачные попытки доставки, возврат отправителю');
      return out;
    }
    day = addBusinessDays(day, 1, RU_CALENDAR);
  }
}

/** Statuses after which a parcel has nothing more to report. */
export const FINAL_STATUSES: readonly ShipmentStatusValue[] = ['DELIVERED', 'RETURNED_TO_SENDER'];

export interface OpenParcel {
  carrierCode: string;
  deliveryType: 'COURIER' | 'PICKUP_POINT' | 'PARTNER';
  status: ShipmentStatusValue;
  /** Events the parcel has so far (by status), oldest first. */
  history: readonly ShipmentStatusValue[];
  originCity: string;
  destinationCity: string;
}

/**
 * The next event of an open parcel for the simulator, or null when it is finished. `r` decides
 * failures and returns; the caller seeds it from the tracking number and the step, so the same
 * step always gives the same event.
 */
export function nextParcelEvent(p: OpenParcel, r: Prng): Omit<PlannedEvent, 'occurredAt'> | null {
  const prof = profileOf(p.carrierCode);
  const count = (s: ShipmentStatusValue) => p.history.filter((h) => h === s).length;
  const local = p.originCity === p.destinationCity;
  const hops = count('IN_TRANSIT');
  switch (p.status) {
    case 'DELIVERED':
    case 'RETURNED_TO_SENDER':
      return null;
    case 'LABEL_CREATED':
    case 'EXCEPTION':
      if (hops === 0) return { status: 'IN_TRANSIT', location: `${p.originCity}, сортировочный центр`, description: 'Принято в сортировочном центре' };
    // falls through: a parcel already moving continues
    case 'IN_TRANSIT':
      if (!local && hops === 1) return { status: 'IN_TRANSIT', location: p.originCity, description: `Отправлено в г. ${p.destinationCity}` };
      if (!local && hops === 2) return { status: 'IN_TRANSIT', location: `${p.destinationCity}, сортировочный центр`, description: 'Прибыло в сортировочный центр города получателя' };
      return p.deliveryType === 'PICKUP_POINT'
        ? { status: 'AT_PICKUP_POINT', location: p.destinationCity, description: 'Поступило в пункт выдачи, ожидает получателя' }
        : { status: 'OUT_FOR_DELIVERY', location: p.destinationCity, description: 'Передано курьеру' };
    case 'AT_PICKUP_POINT':
      return r.next() < prof.returned * 3
        ? { status: 'RETURNED_TO_SENDER', location: p.destinationCity, description: 'Срок хранения истёк, возврат отправителю' }
        : { status: 'DELIVERED', location: p.destinationCity, description: 'Вручено получателю в пункте выдачи' };
    case 'OUT_FOR_DELIVERY': {
      const failed = count('FAILED_ATTEMPT');
      if (r.next() >= prof.failedAttempt * (failed ? 2 : 1)) return { status: 'DELIVERED', location: p.destinationCity, description: 'Вручено получателю' };
      return { status: 'FAILED_ATTEMPT', location: p.destinationCity, description: 'Получатель отсутствовал, доставка перенесена' };
    }
    case 'FAILED_ATTEMPT':
      return count('FAILED_ATTEMPT') >= 2
        ? { status: 'RETURNED_TO_SENDER', location: p.destinationCity, description: 'Две неудачные попытки доставки, возврат отправителю' }
        : { status: 'OUT_FOR_DELIVERY', location: p.destinationCity, description: 'Повторная доставка, передано курьеру' };
  }
}

/** A 32-bit seed from a string (FNV-1a), for per-parcel PRNGs. */
export function seedOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
