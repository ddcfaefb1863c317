// The composer's images: a file picker, a required alt text for every new image (sent with the
// upload when the post is saved) and the list of images with a Remove button each.
import { useId, useState, type ChangeEvent } from 'react';
import type { FieldErrors, UseFormRegister } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { useServerTextLang } from '../../api/problem';
import { Field } from '../../components/Field';
import { useFocusAfterRender } from '../../components/focus';

export const MAX_IMAGES = 10;
export const ACCEPTED_IMAGES = 'image/png,image/jpeg,image/gif,image/webp';
export const MAX_ALT_TEXT = 1500;

/** An image of the post: uploaded (`mediaId`) or chosen and uploaded when the post is saved. */
export type MediaItem = {
  mediaId?: string;
  fileKey?: string;
  fileName: string;
  alt_text: string;
};

type WithMedia = { media: MediaItem[] };

/** The `id` of the control of a form field path (`media.0.alt_text` → `field-media-0-alt_text`). */
export function fieldId(path: string): string {
  return `field-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export function ImagesFieldset<V extends WithMedia>({
  fields,
  register,
  errors,
  srcOf,
  uploadedAlt,
  onAdd,
  onRemove,
  problems,
}: {
  fields: (MediaItem & { key: string })[];
  register: UseFormRegister<V>;
  errors: FieldErrors<WithMedia>['media'];
  srcOf: (item: MediaItem) => string | undefined;
  uploadedAlt: (mediaId: string) => string | undefined;
  onAdd: (files: File[]) => void;
  onRemove: (index: number) => void;
  problems: string[];
}) {
  const { t } = useTranslation();
  const pickerId = useId();
  const [refused, setRefused] = useState(0);
  const focusAfter = useFocusAfterRender();
  const full = fields.length >= MAX_IMAGES;

  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    const room = MAX_IMAGES - fields.length;
    setRefused(Math.max(0, files.length - room));
    if (room > 0) onAdd(files.slice(0, room));
    e.target.value = '';
  };

  return (
    <fieldset className="images" id={fieldId('media')} tabIndex={-1}>
      <legend>{t('posts:composer.images.legend')}</legend>
      {fields.length > 0 ? (
        <ol className="media-list">
          {fields.map((item, index) => {
            const alt = item.mediaId ? uploadedAlt(item.mediaId) : undefined;
            const src = srcOf(item);
            const label = t('posts:composer.images.image', {
              n: index + 1,
              name: item.fileName || t('posts:composer.images.uploaded'),
            });
            const error = errors?.[index]?.alt_text?.message;
            return (
              <li key={item.key} className="media-item">
                <div className="media-thumb">
                  {/* Described by the alt text beside it. */}
                  {src ? <img src={src} alt="" /> : null}
                </div>
                <div className="media-fields">
                  <p className="media-name">{label}</p>
                  {item.mediaId ? (
                    <p>
                      <strong>{t('posts:composer.images.alt_label')}:</strong>{' '}
                      {alt ?? t('common:loading')}
                    </p>
                  ) : (
                    <Field
                      label={t('posts:composer.images.alt_for', { n: index + 1 })}
                      hint={t('posts:composer.images.alt_hint')}
                      error={typeof error === 'string' ? error : undefined}
                    >
                      <textarea
                        id={fieldId(`media.${index}.alt_text`)}
                        className="alt-text"
                        rows={2}
                        {...register(`media.${index}.alt_text` as never)}
                      />
                    </Field>
                  )}
                  <button
                    type="button"
                    className="media-remove"
                    onClick={(e) => {
                      // The image leaves the list: focus goes to the next image's Remove
                      // button, else to the file picker.
                      const next = e.currentTarget
                        .closest('li')
                        ?.nextElementSibling?.querySelector<HTMLElement>('button.media-remove');
                      onRemove(index);
                      focusAfter(next, pickerId);
                    }}
                  >
                    {t('posts:composer.images.remove', { n: index + 1 })}
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      ) : null}
      <Field
        label={t('posts:composer.images.add')}
        hint={
          full
            ? t('posts:composer.images.full', { max: MAX_IMAGES })
            : t('posts:composer.images.hint', { max: MAX_IMAGES })
        }
      >
        <input id={pickerId} type="file" accept={ACCEPTED_IMAGES} multiple disabled={full} onChange={pick} />
      </Field>
      {refused > 0 ? (
        <p className="error-text" role="alert">
          <span aria-hidden="true">⚠ </span>
          {t('posts:composer.images.refused', { count: refused, max: MAX_IMAGES })}
        </p>
      ) : null}
      {problems.length > 0 ? <ProblemList items={problems} /> : null}
    </fieldset>
  );
}

/** Problems the server named for one field, under it (in the server's English). */
export function ProblemList({ items }: { items: string[] }) {
  const serverLang = useServerTextLang();
  return (
    <ul className="field-problems">
      {items.map((m) => (
        <li key={m} lang={serverLang}>
          <span aria-hidden="true">⚠ </span>
          {m}
        </li>
      ))}
    </ul>
  );
}
