// Pieces given to react-big-calendar: the toolbar (view buttons say which one is shown), the
// event labels, and the list view, an accessible table of the posts of the next 30 days.
import { addDays, format, startOfDay } from 'date-fns';
import { enGB, nl } from 'date-fns/locale';
import type { DateHeaderProps, NavigateAction, TitleOptions, ToolbarProps, View } from 'react-big-calendar';
import { useTranslation } from 'react-i18next';
import type { Post } from '../dashboard/lookups';

export type CalEvent = {
  id: string;
  title: string;
  start: Date;
  end: Date;
  post: Post;
  draggable: boolean;
};

export function Toolbar({ label, onNavigate, onView, view, views }: ToolbarProps<CalEvent, object>) {
  const { t } = useTranslation();
  const names = (Array.isArray(views) ? views : Object.keys(views)) as View[];
  return (
    <div className="rbc-toolbar">
      <span className="rbc-btn-group">
        <button type="button" onClick={() => onNavigate('TODAY')}>
          {t('calendar:messages.today')}
        </button>
        <button type="button" onClick={() => onNavigate('PREV')}>
          {t('calendar:messages.previous')}
        </button>
        <button type="button" onClick={() => onNavigate('NEXT')}>
          {t('calendar:messages.next')}
        </button>
      </span>
      <span className="rbc-toolbar-label" aria-live="polite">
        {label}
      </span>
      <span className="rbc-btn-group" role="group" aria-label={t('calendar:view_group')}>
        {names.map((name) => (
          <button
            type="button"
            key={name}
            className={view === name ? 'rbc-active' : undefined}
            aria-pressed={view === name}
            onClick={() => onView(name)}
          >
            {t(`calendar:messages.${name}`)}
          </button>
        ))}
      </span>
    </div>
  );
}

/** A day number of the month view, named by its full date; it opens that day's week. */
export function MonthDateHeader({ label, date, drilldownView, onDrillDown }: DateHeaderProps) {
  const { i18n } = useTranslation();
  const full = format(date, 'EEEE d MMMM yyyy', { locale: i18n.language.startsWith('nl') ? nl : enGB });
  if (!drilldownView) return <span>{label}</span>;
  return (
    <button type="button" className="rbc-button-link" onClick={onDrillDown}>
      <span aria-hidden="true">{label}</span>
      <span className="visually-hidden">{full}</span>
    </button>
  );
}

/** An event inside a week-view slot: that slot is the focusable button, so this is plain text. */
export function EventLabel({ event }: { event: CalEvent }) {
  return <span className="cal-event-text">{event.title}</span>;
}

/** An event in the month view, as a button: the month view's own event boxes cannot be reached
 * by keyboard. */
export function makeEventButton(onSelect: (event: CalEvent) => void) {
  return function EventButton({ event }: { event: CalEvent }) {
    return (
      <button
        type="button"
        className="cal-event-button"
        data-event-id={event.id}
        onClick={(e) => {
          e.stopPropagation();
          onSelect(event);
        }}
      >
        {event.title}
      </button>
    );
  };
}

const LIST_DAYS = 30;

type ListProps = {
  date: Date;
  events: CalEvent[];
  onSelectEvent?: (event: CalEvent, e: React.SyntheticEvent) => void;
  /** The calendar's localizer, already bound to the UI language. */
  localizer: { format: (value: Date, format: string) => string };
};

/** The list ("agenda") view: the posts of 30 days from the shown date, in a table. */
export function ListView({ date, events, onSelectEvent, localizer }: ListProps) {
  const { t } = useTranslation();
  const start = startOfDay(date);
  const end = addDays(start, LIST_DAYS);
  const shown = events
    .filter((e) => e.start >= start && e.start < end)
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  const range = `${localizer.format(start, 'PPP')} – ${localizer.format(addDays(end, -1), 'PPP')}`;
  if (shown.length === 0) {
    return <p className="cal-list-empty">{t('calendar:list.empty', { range })}</p>;
  }
  return (
    <div className="cal-list">
      <table>
        <caption>{t('calendar:list.caption', { range })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('calendar:list.when')}</th>
            <th scope="col">{t('calendar:list.post')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((event) => (
            <tr key={event.id}>
              <td>
                <time dateTime={event.post.scheduled_at ?? undefined}>
                  {localizer.format(event.start, 'EEEE PPp')}
                </time>
              </td>
              <th scope="row">
                <button
                  type="button"
                  className="cal-event-button"
                  data-event-id={event.id}
                  onClick={(e) => onSelectEvent?.(event, e)}
                >
                  {event.title}
                </button>
              </th>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

ListView.range = (date: Date) => {
  const start = startOfDay(date);
  return { start, end: addDays(start, LIST_DAYS) };
};

ListView.navigate = (date: Date, action: NavigateAction): Date => {
  if (action === 'PREV') return addDays(date, -LIST_DAYS);
  if (action === 'NEXT') return addDays(date, LIST_DAYS);
  return date;
};

ListView.title = (date: Date, options: TitleOptions): string => {
  // The calendar passes its localizer, bound to the UI language, among the options.
  const localizer = options.localizer as ListProps['localizer'];
  const start = startOfDay(date);
  return `${localizer.format(start, 'PPP')} – ${localizer.format(addDays(start, LIST_DAYS - 1), 'PPP')}`;
};
