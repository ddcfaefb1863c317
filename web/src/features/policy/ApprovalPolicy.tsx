// The approval policy: the ordered steps a submitted post goes through, each needing a number
// of approvals from people with a role. Owners edit it (steps reordered with buttons, so the
// keyboard does everything); everyone else reads it.
import { useEffect, useRef, useState } from 'react';
import { useFieldArray, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loading, Page } from '../../components/Page';
import { useAnnounce } from '../../layout/live';

type Policy = Schemas['ApprovalPolicyBody'];
type Step = Schemas['ApprovalStep'];

const MAX_STEPS = 10;
const approverRoles = ['approver', 'owner'] as const;

const schema = z.object({
  steps: z
    .array(
      z.object({
        name: z.string().trim().min(1, 'required').max(100, 'name_long'),
        role: z.enum(approverRoles),
        approvals_required: z
          .number({ error: 'range' })
          .int('range')
          .min(1, 'range')
          .max(10, 'range'),
      }),
    )
    .max(MAX_STEPS, 'too_many'),
});

type Values = z.input<typeof schema>;

export const policyKey = (slug: string) => ['tenant', slug, 'approval-policy'] as const;

function StepList({ steps }: { steps: Step[] }) {
  const { t } = useTranslation();
  if (steps.length === 0) return <p>{t('policy:no_steps')}</p>;
  return (
    <ol className="policy-steps-read">
      {steps.map((s, i) => (
        <li key={i}>
          <strong>{s.name}</strong>
          {': '}
          {t('policy:step_summary', {
            count: s.approvals_required,
            role: t(`common:roles.${s.role}`),
          })}
        </li>
      ))}
    </ol>
  );
}

function Editor({ slug, policy }: { slug: string; policy: Policy }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const {
    register,
    control,
    handleSubmit,
    reset,
    getValues,
    formState: { errors, isSubmitting, isDirty, submitCount },
  } = useForm<Values, unknown, z.output<typeof schema>>({
    defaultValues: { steps: policy.steps },
    resolver: zodResolver(schema),
  });
  const { fields, append, remove, move } = useFieldArray({ control, name: 'steps' });
  const buttons = useRef(new Map<string, HTMLButtonElement | null>());
  const addButton = useRef<HTMLButtonElement>(null);
  const [focusNext, setFocusNext] = useState<string | null>(null);

  useEffect(() => {
    if (!focusNext) return;
    const el = buttons.current.get(focusNext);
    if (el && !el.disabled) el.focus();
    else addButton.current?.focus();
    setFocusNext(null);
  }, [focusNext, fields]);

  const err = (m?: string) => (m ? t(`policy:errors.${m}`) : undefined);
  const stepName = (i: number) => getValues(`steps.${i}.name`)?.trim() || t('policy:step', { n: i + 1 });

  const moveStep = (from: number, to: number) => {
    const id = fields[from].id;
    const name = stepName(from);
    move(from, to);
    // Focus stays on the moved step: on the same button, or the other one at either end.
    const dir = to < from ? 'up' : 'down';
    const atEnd = dir === 'up' ? to === 0 : to === fields.length - 1;
    setFocusNext(`${id}-${atEnd ? (dir === 'up' ? 'down' : 'up') : dir}`);
    announce(t('policy:moved', { name, position: to + 1, total: fields.length }));
  };

  const save = useMutation({
    mutationFn: (v: z.output<typeof schema>) =>
      call(
        api.PUT('/api/v1/tenants/{tenant}/approval-policy', {
          params: { path: { tenant: slug } },
          body: { steps: v.steps, emergency_steps: policy.emergency_steps },
        }),
      ),
    onSuccess: (stored) => {
      client.setQueryData(policyKey(slug), stored);
      reset({ steps: stored.steps });
      announce(t('policy:saved'));
    },
  });

  return (
    <form noValidate onSubmit={handleSubmit((v) => save.mutateAsync(v).catch(() => undefined))}>
      <ErrorSummary items={errorItems(errors, err)} attempt={submitCount} />
      {fields.length === 0 ? <p>{t('policy:no_steps')}</p> : null}
      <ol className="policy-steps">
        {fields.map((field, i) => {
          const stepErrors = errors.steps?.[i];
          const label = t('policy:step', { n: i + 1 });
          const hidden = <span className="visually-hidden"> ({label})</span>;
          return (
            <li key={field.id}>
              <fieldset>
                <legend>{label}</legend>
                <Field label={<>{t('policy:name')}{hidden}</>} hint={t('policy:name_hint')} error={err(stepErrors?.name?.message)}>
                  <input type="text" autoComplete="off" aria-required {...register(`steps.${i}.name`)} />
                </Field>
                <Field label={<>{t('policy:role')}{hidden}</>} error={err(stepErrors?.role?.message)}>
                  <select {...register(`steps.${i}.role`)}>
                    {approverRoles.map((r) => (
                      <option key={r} value={r}>
                        {t(`common:roles.${r}`)}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field
                  label={<>{t('policy:approvals_required')}{hidden}</>}
                  hint={t('policy:approvals_hint')}
                  error={err(stepErrors?.approvals_required?.message)}
                >
                  <input
                    type="number"
                    min={1}
                    max={10}
                    step={1}
                    inputMode="numeric"
                    aria-required
                    {...register(`steps.${i}.approvals_required`, { valueAsNumber: true })}
                  />
                </Field>
                <div className="row-actions">
                  <button
                    type="button"
                    ref={(el) => {
                      buttons.current.set(`${field.id}-up`, el);
                    }}
                    disabled={i === 0}
                    onClick={() => moveStep(i, i - 1)}
                  >
                    <span aria-hidden="true">↑ </span>
                    {t('policy:move_up')}
                    <span className="visually-hidden"> {label}</span>
                  </button>
                  <button
                    type="button"
                    ref={(el) => {
                      buttons.current.set(`${field.id}-down`, el);
                    }}
                    disabled={i === fields.length - 1}
                    onClick={() => moveStep(i, i + 1)}
                  >
                    <span aria-hidden="true">↓ </span>
                    {t('policy:move_down')}
                    <span className="visually-hidden"> {label}</span>
                  </button>
                  <button
                    type="button"
                    onClick={() => {
                      const name = stepName(i);
                      remove(i);
                      setFocusNext('add');
                      announce(t('policy:removed', { name }));
                    }}
                  >
                    {t('policy:remove')}
                    <span className="visually-hidden"> {label}</span>
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      {errors.steps?.message ? <p className="error-text">{err(errors.steps.message)}</p> : null}
      <div className="form-actions">
        <button
          type="button"
          ref={addButton}
          disabled={fields.length >= MAX_STEPS}
          onClick={() => {
            append({ name: '', role: 'approver', approvals_required: 1 });
            announce(t('policy:added', { n: fields.length + 1 }));
          }}
        >
          {t('policy:add')}
        </button>
      </div>
      {fields.length >= MAX_STEPS ? <p className="hint">{t('policy:max_steps')}</p> : null}
      <ProblemMessage error={save.error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          {t('policy:save')}
        </button>
        {isDirty ? (
          <button type="button" onClick={() => reset({ steps: policy.steps })}>
            {t('policy:undo')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

export default function ApprovalPolicy() {
  const { t } = useTranslation();
  const { slug, role } = useTenant();
  const manage = can.manage(role);
  const policy = useQuery({
    queryKey: policyKey(slug),
    queryFn: () =>
      call(api.GET('/api/v1/tenants/{tenant}/approval-policy', { params: { path: { tenant: slug } } })),
    enabled: slug !== '',
  });
  return (
    <Page title={t('policy:title')}>
      <div className="hint-box">
        <p>{t('policy:intro')}</p>
        <p>{t('policy:author_never_counts')}</p>
        <p>{t('policy:applies_later')}</p>
      </div>
      {policy.isPending ? <Loading /> : null}
      <ProblemMessage error={policy.error} />
      {policy.data ? (
        <>
          <section aria-labelledby="steps-heading">
            <h2 id="steps-heading">{t('policy:steps_title')}</h2>
            {manage ? (
              <Editor slug={slug} policy={policy.data} />
            ) : (
              <>
                <StepList steps={policy.data.steps} />
                <p className="hint">{t('policy:read_only')}</p>
              </>
            )}
          </section>
          <section aria-labelledby="emergency-heading">
            <h2 id="emergency-heading">{t('policy:emergency_title')}</h2>
            <p>{t('policy:emergency_intro')}</p>
            <StepList steps={policy.data.emergency_steps ?? []} />
          </section>
        </>
      ) : null}
    </Page>
  );
}
