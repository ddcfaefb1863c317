// Times as people read them: in the tenant's time zone, in the UI's language, with the zone
// named; the machine-readable value in `dateTime`.
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { enGB, nl } from 'date-fns/locale';
import { useTranslation } from 'react-i18next';

export function formatInZone(iso: string, zone: string, language: string, pattern = 'PPp'): string {
  const locale = language.startsWith('nl') ? nl : enGB;
  try {
    return format(new TZDate(iso, zone), pattern, { locale });
  } catch {
    return iso;
  }
}

export function DateTime({ value, zone }: { value: string; zone: string }) {
  const { i18n } = useTranslation();
  return (
    <time dateTime={value} title={zone}>
      {formatInZone(value, zone, i18n.language)}
    </time>
  );
}
