// One channel's preview in the composer: the text that will go out there, its images, a
// character counter against the network's limit, and what the connector said about it.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useServerTextLang } from '../../api/problem';
import { StatusBadge } from '../../components/StatusBadge';
import { networkName } from '../channels/networks';
import { countGraphemes, limitFor } from './counters';
import type { ChannelView } from './hooks';

export type PreviewImage = { key: string; src: string; alt: string };

/** How a text measures up on a channel: its length, the limit and how far over it is. */
export function measure(channel: ChannelView, text: string, imageCount: number) {
  const limit = limitFor(channel.plugin, channel.settings, imageCount);
  const length = countGraphemes(text);
  const over = limit !== null && length > limit ? length - limit : 0;
  return { limit, length, over };
}

export function PreviewCard({
  channel,
  text,
  images,
  problems,
}: {
  channel: ChannelView;
  text: string;
  images: PreviewImage[];
  problems: string[];
}) {
  const { t } = useTranslation();
  const serverLang = useServerTextLang();
  const headingId = useId();
  const { limit, length, over } = measure(channel, text, images.length);
  return (
    <article className="card preview-card" aria-labelledby={headingId}>
      <h3 id={headingId}>{channel.name}</h3>
      <p className="preview-network">
        {networkName(t, channel.plugin)}
        {channel.status !== 'active' ? (
          <>
            {' '}
            <StatusBadge status={channel.status} />
          </>
        ) : null}
      </p>
      <div className="preview">
        {text.trim() ? text : <span className="muted">{t('posts:preview.empty')}</span>}
      </div>
      {images.length > 0 ? (
        <ul className="thumbs" aria-label={t('posts:preview.images', { name: channel.name })}>
          {images.map((img) => (
            <li key={img.key}>
              {img.src ? <img src={img.src} alt={img.alt} /> : <span>{img.alt}</span>}
            </li>
          ))}
        </ul>
      ) : null}
      <p className={over > 0 ? 'counter counter-over' : 'counter'}>
        {limit !== null
          ? t('posts:preview.counter', { n: length, limit })
          : t('posts:preview.counter_unlimited', { n: length })}
        {over > 0 ? (
          <>
            {' — '}
            <span aria-hidden="true">⚠ </span>
            {t('posts:preview.too_many', { count: over })}
          </>
        ) : null}
      </p>
      {problems.length > 0 ? (
        <div className="channel-problems">
          <p>
            <strong>{t('posts:preview.problems', { name: channel.name })}</strong>
          </p>
          <ul>
            {/* The connectors' own words, in English. */}
            {problems.map((message) => (
              <li key={message} lang={serverLang}>
                <span aria-hidden="true">⚠ </span>
                {message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </article>
  );
}
