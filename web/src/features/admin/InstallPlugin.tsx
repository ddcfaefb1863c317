// Install or upgrade a plugin: its component (`plugin.wasm`) and manifest (`plugin.toml`) as a
// multipart upload. A new plugin starts disabled with no host approved; an upgrade keeps both.
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { postForm } from '../../api/form';
import { ProblemMessage } from '../../api/problem';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useAnnounce } from '../../layout/live';
import { pluginsKey } from './plugins';

const oneFile = z.custom<FileList>(
  (v) => typeof FileList !== 'undefined' && v instanceof FileList && v.length === 1,
  'file',
);

const schema = z.object({ wasm: oneFile, manifest: oneFile });
type Values = z.input<typeof schema>;

export function uploadPlugin(wasm: File, manifest: File): Promise<Schemas['InstallResponse']> {
  const form = new FormData();
  form.append('plugin.wasm', wasm, wasm.name);
  form.append('plugin.toml', manifest, manifest.name);
  return postForm<Schemas['InstallResponse']>('/api/v1/plugins', form);
}

export function InstallPlugin() {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors, isSubmitting, submitCount },
  } = useForm<Values>({ resolver: zodResolver(schema) });
  const install = useMutation({
    mutationFn: (v: Values) => uploadPlugin(v.wasm[0], v.manifest[0]),
    onSuccess: async (done) => {
      reset();
      await client.invalidateQueries({ queryKey: pluginsKey });
      announce(resultText(done));
    },
  });
  const resultText = (done: Schemas['InstallResponse']) =>
    done.upgrade
      ? t('admin:install.upgraded', { name: done.plugin.name, version: done.plugin.version })
      : t('admin:install.installed', { name: done.plugin.name, version: done.plugin.version });
  const err = (m?: string) => (m ? t(`admin:errors.${m}`) : undefined);
  return (
    <section aria-labelledby="install-heading">
      <h2 id="install-heading">{t('admin:install.title')}</h2>
      <p>{t('admin:install.intro')}</p>
      <form noValidate onSubmit={handleSubmit((v) => install.mutateAsync(v).catch(() => undefined))}>
        <ErrorSummary items={errorItems(errors, err)} attempt={submitCount} />
        <Field label={t('admin:install.wasm')} hint={t('admin:install.wasm_hint')} error={err(errors.wasm?.message)}>
          <input type="file" accept=".wasm,application/wasm" aria-required {...register('wasm')} />
        </Field>
        <Field
          label={t('admin:install.manifest')}
          hint={t('admin:install.manifest_hint')}
          error={err(errors.manifest?.message)}
        >
          <input type="file" accept=".toml,text/plain,application/toml" aria-required {...register('manifest')} />
        </Field>
        <ProblemMessage error={install.error} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={isSubmitting}>
            {t('admin:install.submit')}
          </button>
        </div>
      </form>
      {install.data ? (
        <div className="notice">
          <p>
            <span aria-hidden="true">✓ </span>
            {resultText(install.data)}
          </p>
          <p>{install.data.upgrade ? t('admin:install.upgrade_note') : t('admin:install.new_note')}</p>
        </div>
      ) : null}
    </section>
  );
}
