/**
 * ISO 3166-1 alpha-2 country codes: one list for every address, rate card and delivery
 * destination. The list is `validator`'s (already a dependency for e-mails and ISO 4217, kept up
 * to date with the ISO maintenance agency's changes), so "ZZ" or "XX" fail as well as "ru".
 */
import validator from 'validator';

/** True for an assigned ISO 3166-1 alpha-2 code in capitals (RU, DE), false for "ZZ", "ru", "RUS". */
export const isCountryCode = (code: string): boolean => /^[A-Z]{2}$/.test(code) && validator.isISO31661Alpha2(code);
