/** The assistant's intents (the contract's AssistantIntent) and what the intent model predicts. */
export const ASSISTANT_INTENTS = ['ORDER_STATUS', 'TRACKING', 'RETURN_POLICY', 'RETURN_REQUEST', 'DELIVERY_OPTIONS', 'LOYALTY_BALANCE', 'FAQ', 'HANDOFF'] as const;
export type AssistantIntent = (typeof ASSISTANT_INTENTS)[number];

/** Intents the assistant answers itself (everything but HANDOFF). */
export type AnsweredIntent = Exclude<AssistantIntent, 'HANDOFF'>;

/**
 * A labelled question. HANDOFF as a label means: not the assistant's to answer (off-topic,
 * a complaint that needs a person, or an explicit request for one).
 */
export interface LabelledQuestion {
  text: string;
  language: 'ru' | 'en';
  intent: AssistantIntent;
}
