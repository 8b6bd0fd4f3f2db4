// Names the drill format uses for things it refers to by name.
import { z } from 'zod';

/** Services, faults, SLOs, partners, ...: lowercase, digits and dashes. */
export const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, e.g. "partner-hub"');

/** NATS stream and subject tokens. */
export const NatsName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, "-" and "_", e.g. "HUB_EVENTS"');
