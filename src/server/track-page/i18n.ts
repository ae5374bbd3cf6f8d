/** Words of the tracking page, in the two languages it speaks; the browser script gets the same table. */
export type Lang = 'ru' | 'en';

export const STATUS_LABELS: Record<Lang, Record<string, string>> = {
  en: {
    LABEL_CREATED: 'Label created',
    IN_TRANSIT: 'In transit',
    OUT_FOR_DELIVERY: 'Out for delivery',
    AT_PICKUP_POINT: 'Waiting at the pickup point',
    DELIVERED: 'Delivered',
    FAILED_ATTEMPT: 'Delivery attempt failed',
    EXCEPTION: 'Delivery problem',
    RETURNED_TO_SENDER: 'Returned to sender',
  },
  ru: {
    LABEL_CREATED: 'Отправление оформлено',
    IN_TRANSIT: 'В пути',
    OUT_FOR_DELIVERY: 'Передано курьеру',
    AT_PICKUP_POINT: 'Ожидает в пункте выдачи',
    DELIVERED: 'Доставлено',
    FAILED_ATTEMPT: 'Неудачная попытка доставки',
    EXCEPTION: 'Проблема с доставкой',
    RETURNED_TO_SENDER: 'Возвращено отправителю',
  },
};

export const TEXTS = {
  en: {
    title: 'Parcel tracking',
    trackingNumber: 'Tracking number',
    carrier: 'Carrier',
    eta: 'Estimated delivery',
    destination: 'Destination',
    history: 'History',
    noEvents: 'No events yet.',
    unknown: 'not known yet',
    connecting: 'Connecting…',
    live: 'Live updates',
    offline: 'Reconnecting…',
    notFoundTitle: 'Parcel not found',
    notFoundText: 'We could not find a parcel with this tracking number. Check the number in your e-mail or SMS; a new parcel may take a few hours to appear.',
    limitedTitle: 'Too many lookups',
    limitedText: 'Too many unknown tracking numbers were looked up from your network. Please try again later.',
    noscript: 'Turn on JavaScript to see the parcel history and live updates.',
  },
  ru: {
    title: 'Отслеживание посылки',
    trackingNumber: 'Трек-номер',
    carrier: 'Перевозчик',
    eta: 'Ожидаемая доставка',
    destination: 'Город назначения',
    history: 'История',
    noEvents: 'Событий пока нет.',
    unknown: 'пока неизвестно',
    connecting: 'Подключение…',
    live: 'Обновляется автоматически',
    offline: 'Переподключение…',
    notFoundTitle: 'Посылка не найдена',
    notFoundText: 'Мы не нашли посылку с таким трек-номером. Проверьте номер в письме или SMS; новая посылка может появиться через несколько часов.',
    limitedTitle: 'Слишком много запросов',
    limitedText: 'Из вашей сети запрошено слишком много неизвестных трек-номеров. Попробуйте позже.',
    noscript: 'Включите JavaScript, чтобы увидеть историю посылки и обновления в реальном времени.',
  },
} as const satisfies Record<Lang, Record<string, string>>;

/** The first of Russian or English in an Accept-Language header, by q-value; English when neither. */
export function pickLang(acceptLanguage: string | undefined): Lang {
  const prefs = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((p) => p.tag && Number.isFinite(p.q) && p.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const p of prefs) {
    const base = p.tag.split('-')[0];
    if (base === 'ru' || base === 'en') return base;
  }
  return 'en';
}
