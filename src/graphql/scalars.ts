import 'reflect-metadata';
/** Scalars of the public schema. `DateTime` must be named exactly that (contract). */
import { DateTimeResolver } from 'graphql-scalars';

export const DateTime = DateTimeResolver;
