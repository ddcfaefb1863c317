// Asks for the reason of a rejection (it goes back to the author) in a modal dialog: the reason
// is required, and its error is tied to the field and announced in the form's error summary.
import { useCallback, useId, useMemo, useRef } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useTranslation } from 'react-i18next';
import { ProblemMessage } from '../../api/problem';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useModal } from '../../components/ConfirmDialog';

export function RejectDialog({
  open,
  pending,
  error,
  onReject,
  onCancel,
}: {
  open: boolean;
  pending: boolean;
  error: unknown;
  onReject: (reason: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const schema = useMemo(
    () =>
      z.object({
        reason: z
          .string()
          .trim()
          .min(1, t('approvals:reject.reason_required'))
          .max(2000, t('approvals:reject.reason_too_long')),
      }),
    [t],
  );
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { reason: '' },
  });
  const { reset } = form;

  const emptied = useCallback(() => reset({ reason: '' }), [reset]);
  useModal(ref, open, emptied);

  const { errors, submitCount } = form.formState;
  const reasonError = errors.reason?.message;
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{t('approvals:reject.title')}</h2>
      <form noValidate onSubmit={form.handleSubmit((values) => onReject(values.reason))}>
        <ErrorSummary items={errorItems(errors)} attempt={submitCount} />
        <Field
          label={t('approvals:reject.reason')}
          hint={t('approvals:reject.reason_hint')}
          error={reasonError}
        >
          <textarea {...form.register('reason')} />
        </Field>
        <ProblemMessage error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            {t('common:cancel')}
          </button>
          <button type="submit" className="danger" disabled={pending}>
            {t('approvals:reject.confirm')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
