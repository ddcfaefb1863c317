// Where a post in review stands in its approval, in words.
import { useTranslation } from 'react-i18next';
import type { Post } from '../dashboard/lookups';

/** "Step 1 of 2: Communications lead (Approver), 1 of 2 approvals". */
export function StepText({ post }: { post: Post }) {
  const { t } = useTranslation();
  const approval = post.approval;
  const step = approval?.steps[approval.current_step];
  if (!approval || !step) return <>{t('approvals:step.none')}</>;
  const given = approval.approvals.filter((a) => a.step === approval.current_step).length;
  return (
    <>
      {t('approvals:step.text', {
        number: approval.current_step + 1,
        total: approval.steps.length,
        name: step.name,
        role: t(`common:roles.${step.role}`),
        given,
        required: step.approvals_required,
      })}
    </>
  );
}
