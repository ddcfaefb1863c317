// The publication calendar: every post with a time, by month, week or as a list, in the
// tenant's time zone. Drafts, posts in review and approved posts move by drag and drop (with a
// confirmation) or, by keyboard, from the panel of the selected post.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  Calendar as BigCalendar,
  dateFnsLocalizer,
  type Formats,
  type Messages,
  type View,
} from 'react-big-calendar';
import dragAndDropModule, { type EventInteractionArgs } from 'react-big-calendar/lib/addons/dragAndDrop';
import 'react-big-calendar/lib/addons/dragAndDrop/styles.css';
import {
  addDays,
  addMinutes,
  endOfMonth,
  endOfWeek,
  format,
  getDay,
  parse,
  startOfMonth,
  startOfWeek,
} from 'date-fns';
import { enGB, nl } from 'date-fns/locale';
import { api, call } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { PAGE_TITLE, useFocusAfterRender } from '../../components/focus';
import { Loading, Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { excerpt } from '../../components/text';
import { useAnnounce } from '../../layout/live';
import { useTenantView } from '../../layout/tenant';
import { fetchPosts, type Post } from '../dashboard/lookups';
import { EventLabel, ListView, MonthDateHeader, Toolbar, makeEventButton, type CalEvent } from './parts';
import { fromInputValue, fromWall, toInputValue, toWall, wallToRfc3339 } from './zone';

const MOVABLE = new Set(['draft', 'in_review', 'approved']);
const mondayFirst = { weekStartsOn: 1 as const };

const localizer = dateFnsLocalizer({
  format,
  parse,
  getDay,
  startOfWeek: (date: Date) => startOfWeek(date, mondayFirst),
  locales: { 'en-GB': enGB, nl },
});

// The add-on is CommonJS only: depending on the bundler its default export arrives as the
// function itself or as the module object holding it.
type WithDragAndDrop = typeof dragAndDropModule;
const withDragAndDrop: WithDragAndDrop =
  typeof dragAndDropModule === 'function'
    ? dragAndDropModule
    : (dragAndDropModule as unknown as { default: WithDragAndDrop }).default;
const DnDCalendar = withDragAndDrop<CalEvent, object>(BigCalendar);

const formats: Formats = {
  dateFormat: 'd',
  timeGutterFormat: 'p',
  eventTimeRangeFormat: ({ start }, culture, loc) => loc?.format(start, 'p', culture) ?? '',
  agendaTimeRangeFormat: ({ start }, culture, loc) => loc?.format(start, 'p', culture) ?? '',
  dayFormat: 'EEE d',
  weekdayFormat: 'EEEE',
  dayRangeHeaderFormat: ({ start, end }, culture, loc) =>
    `${loc?.format(start, 'd MMM', culture)} – ${loc?.format(end, 'd MMM yyyy', culture)}`,
};

/** The wall-clock period a view shows, with a day to spare on each side. */
function visibleRange(view: View, date: Date): { start: Date; end: Date } {
  if (view === 'month') {
    return {
      start: addDays(startOfWeek(startOfMonth(date), mondayFirst), -1),
      end: addDays(endOfWeek(endOfMonth(date), mondayFirst), 1),
    };
  }
  if (view === 'week') {
    return { start: addDays(startOfWeek(date, mondayFirst), -1), end: addDays(endOfWeek(date, mondayFirst), 1) };
  }
  const { start, end } = ListView.range(date);
  return { start: addDays(start, -1), end: addDays(end, 1) };
}

function usePostsBetween(slug: string, zone: string, zoneKnown: boolean, view: View, date: Date) {
  const { start, end } = visibleRange(view, date);
  const filter = {
    from: fromWall(start, zone).toISOString(),
    to: fromWall(end, zone).toISOString(),
    limit: 200,
  };
  return useQuery({
    queryKey: ['tenant', slug, 'posts', 'all', filter],
    queryFn: () => fetchPosts(slug, filter, 10),
    enabled: slug !== '' && zoneKnown,
    placeholderData: keepPreviousData,
  });
}

const GRID_ROLES = new Set(['table', 'row', 'rowgroup', 'cell', 'columnheader', 'rowheader', 'gridcell']);

/**
 * Repairs the calendar library's markup for assistive technology, whenever it renders: its
 * month and week grids claim table roles they do not fulfil (rows holding buttons, column
 * headers outside rows, a fixed English name), so they become named groups of plain content;
 * the scrolling hour grid of the week view becomes a named region reachable by keyboard. The
 * List view is the table of the same posts.
 */
function useCalendarMarkupFixes(
  wrap: React.RefObject<HTMLDivElement | null>,
  labels: { month: string; week: string; hours: string },
) {
  const { month, week, hours } = labels;
  useEffect(() => {
    const root = wrap.current;
    if (!root) return;
    const fix = () => {
      for (const grid of root.querySelectorAll<HTMLElement>('.rbc-month-view, .rbc-time-view')) {
        grid.setAttribute('role', 'group');
        grid.setAttribute('aria-label', grid.classList.contains('rbc-month-view') ? month : week);
        for (const el of grid.querySelectorAll('[role]')) {
          if (GRID_ROLES.has(el.getAttribute('role') ?? '')) el.removeAttribute('role');
        }
        for (const el of grid.querySelectorAll('[aria-sort]')) el.removeAttribute('aria-sort');
      }
      const scroller = root.querySelector('.rbc-time-content');
      if (scroller) {
        scroller.setAttribute('tabindex', '0');
        scroller.setAttribute('role', 'region');
        scroller.setAttribute('aria-label', hours);
      }
    };
    fix();
    // Only added or removed nodes are watched, so the attributes set here do not call it again.
    const observer = new MutationObserver(fix);
    observer.observe(root, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [wrap, month, week, hours]);
}

function SelectedPanel({
  event,
  zone,
  movable,
  pending,
  error,
  onMove,
  onClose,
}: {
  event: CalEvent;
  zone: string;
  movable: boolean;
  pending: boolean;
  error: unknown;
  onMove: (wall: Date) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { slug } = useTenant();
  const heading = useRef<HTMLHeadingElement>(null);
  const timeId = useId();
  const [value, setValue] = useState(() => toInputValue(event.start));
  const [invalid, setInvalid] = useState(false);
  const [attempts, setAttempts] = useState(0);
  const locale = i18n.language.startsWith('nl') ? nl : enGB;
  useEffect(() => {
    heading.current?.focus();
  }, [event.id]);
  useEffect(() => {
    setValue(toInputValue(event.start));
    setInvalid(false);
  }, [event.start]);
  const post = event.post;
  const backToReview = post.status === 'approved' || post.status === 'in_review';
  return (
    <section className="cal-panel" aria-labelledby="cal-panel-heading">
      <h2 id="cal-panel-heading" tabIndex={-1} ref={heading}>
        {t('calendar:panel.heading')}
      </h2>
      <p>
        <StatusBadge status={post.status} />
      </p>
      <p className="preview">{excerpt(post.body, 200)}</p>
      <p>
        {t('calendar:panel.time', { time: format(event.start, 'PPPPp', { locale }), zone })}
      </p>
      <p>
        <Link to={`/t/${slug}/posts/${post.id}`}>{t('calendar:panel.open')}</Link>
      </p>
      {movable ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const wall = fromInputValue(value);
            setInvalid(wall === null);
            setAttempts((n) => n + 1);
            if (wall) onMove(wall);
            else document.getElementById(timeId)?.focus();
          }}
        >
          <ErrorSummary
            items={
              invalid
                ? [{ id: timeId, label: t('calendar:panel.move_to'), message: t('calendar:panel.invalid_time') }]
                : []
            }
            attempt={attempts}
          />
          <Field
            label={t('calendar:panel.move_to')}
            hint={
              backToReview
                ? `${t('calendar:panel.move_hint', { zone })} ${t('calendar:panel.back_to_review')}`
                : t('calendar:panel.move_hint', { zone })
            }
            error={invalid ? t('calendar:panel.invalid_time') : undefined}
          >
            <input
              id={timeId}
              type="datetime-local"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              required
            />
          </Field>
          <ProblemMessage error={error} />
          <div className="form-actions">
            <button type="submit" className="primary" disabled={pending}>
              {t('calendar:panel.move')}
            </button>
            <button type="button" onClick={onClose}>
              {t('calendar:panel.close')}
            </button>
          </div>
        </form>
      ) : (
        <>
          <p>{t('calendar:panel.not_movable')}</p>
          <button type="button" onClick={onClose}>
            {t('calendar:panel.close')}
          </button>
        </>
      )}
    </section>
  );
}

export default function Calendar() {
  const { t, i18n } = useTranslation();
  const { slug, role } = useTenant();
  const tenantView = useTenantView(slug);
  const zone = tenantView.data?.settings.time_zone ?? 'UTC';
  const zoneKnown = !tenantView.isPending;
  const client = useQueryClient();
  const announce = useAnnounce();
  const [view, setView] = useState<View>('month');
  const [date, setDate] = useState<Date>(() => toWall(new Date(), zone));
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [drop, setDrop] = useState<{ event: CalEvent; start: Date } | null>(null);
  const wrap = useRef<HTMLDivElement>(null);
  // The control that opened the panel (an event), for focus to go back to when it closes.
  const opener = useRef<HTMLElement | null>(null);
  const focusAfter = useFocusAfterRender();
  const culture = i18n.language.startsWith('nl') ? 'nl' : 'en-GB';
  const locale = culture === 'nl' ? nl : enGB;
  const mayMove = can.compose(role);

  // The first render may not know the tenant's zone yet: start at today there once it does.
  const zoneSeen = useRef(zone);
  useEffect(() => {
    if (zoneSeen.current !== zone) {
      zoneSeen.current = zone;
      setDate(toWall(new Date(), zone));
    }
  }, [zone]);

  const posts = usePostsBetween(slug, zone, zoneKnown, view, date);
  const events: CalEvent[] = useMemo(
    () =>
      (posts.data ?? [])
        .filter((p): p is Post & { scheduled_at: string } => !!p.scheduled_at && p.status !== 'cancelled')
        .map((p) => {
          const start = toWall(p.scheduled_at, zone);
          return {
            id: p.id,
            title: t('calendar:event_title', {
              status: t(`common:status.${p.status}`, { defaultValue: p.status }),
              text: excerpt(p.body, 50),
            }),
            start,
            end: addMinutes(start, 30),
            post: p,
            draggable: mayMove && MOVABLE.has(p.status),
          };
        }),
    [posts.data, zone, t, mayMove],
  );
  const selected = events.find((e) => e.id === selectedId) ?? null;

  const move = useMutation({
    mutationFn: ({ post, wall }: { post: Post; wall: Date }) =>
      call(
        api.PATCH('/api/v1/tenants/{tenant}/posts/{id}', {
          params: { path: { tenant: slug, id: post.id } },
          // The instant moves; the zone the author chose the time in stays theirs.
          body: { scheduled_at: wallToRfc3339(wall, zone) },
        }),
      ),
    onSuccess: (updated, { wall }) => {
      client.setQueryData(['tenant', slug, 'post', updated.id], updated);
      void client.invalidateQueries({ queryKey: ['tenant', slug, 'posts'] });
      void client.invalidateQueries({ queryKey: ['tenant', slug, 'dashboard'] });
      announce(
        t('calendar:moved', {
          time: format(wall, 'PPPPp', { locale }),
          status: t(`common:status.${updated.status}`, { defaultValue: updated.status }),
        }),
      );
    },
  });

  const messages: Messages<CalEvent> = useMemo(
    () => ({
      date: t('calendar:messages.date'),
      time: t('calendar:messages.time'),
      event: t('calendar:messages.event'),
      allDay: t('calendar:messages.allDay'),
      week: t('calendar:messages.week'),
      work_week: t('calendar:messages.work_week'),
      day: t('calendar:messages.day'),
      month: t('calendar:messages.month'),
      previous: t('calendar:messages.previous'),
      next: t('calendar:messages.next'),
      yesterday: t('calendar:messages.yesterday'),
      tomorrow: t('calendar:messages.tomorrow'),
      today: t('calendar:messages.today'),
      agenda: t('calendar:messages.agenda'),
      noEventsInRange: t('calendar:messages.noEventsInRange'),
      showMore: (count: number) => t('calendar:messages.showMore', { count }),
    }),
    [t],
  );
  const select = (event: CalEvent) => {
    move.reset();
    const active = document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
    setSelectedId(event.id);
  };
  const closePanel = (id: string) => {
    setSelectedId(null);
    // Back to the event: the control that opened the panel, or the event's button when the
    // calendar has drawn it anew (after a move).
    focusAfter(
      opener.current,
      () => wrap.current?.querySelector<HTMLElement>(`[data-event-id="${id}"]`),
      PAGE_TITLE,
    );
  };
  // The month view's event buttons are made once (a new component type would remount every
  // event); they call the current `select` through this ref.
  const selectRef = useRef(select);
  selectRef.current = select;
  const components = useMemo(
    () => ({
      toolbar: Toolbar,
      month: { event: makeEventButton((e: CalEvent) => selectRef.current(e)), dateHeader: MonthDateHeader },
      week: { event: EventLabel },
    }),
    [],
  );
  const views = useMemo(() => ({ month: true, week: true, agenda: ListView }), []);

  useCalendarMarkupFixes(wrap, {
    month: t('calendar:month_grid'),
    week: t('calendar:week_grid'),
    hours: t('calendar:hours_grid'),
  });

  return (
    <Page
      title={t('calendar:title')}
      actions={
        can.compose(role) ? (
          <Link to={`/t/${slug}/compose`} className="button primary">
            {t('calendar:compose')}
          </Link>
        ) : null
      }
    >
      <p>{t('calendar:zone', { zone })}</p>
      <p className="page-note">{mayMove ? t('calendar:how_to_move') : t('calendar:how_to_open')}</p>
      {posts.isPending ? <Loading /> : null}
      <ProblemMessage error={tenantView.error} />
      <ProblemMessage error={posts.error} />
      <div className="calendar-wrap" ref={wrap}>
        <DnDCalendar
          localizer={localizer}
          culture={culture}
          messages={messages}
          formats={formats}
          events={events}
          views={views}
          view={view}
          onView={(v) => setView(v)}
          date={date}
          onNavigate={(d) => setDate(d)}
          getDrilldownView={(_date, current) => (current === 'month' ? 'week' : null)}
          getNow={() => toWall(new Date(), zone)}
          components={components}
          popup={false}
          tooltipAccessor={(e) => e.title}
          draggableAccessor={(e) => e.draggable}
          resizable={false}
          onSelectEvent={(e) => select(e)}
          onKeyPressEvent={(e, key) => {
            const k = 'key' in key ? key.key : '';
            if (k === 'Enter' || k === ' ') {
              key.preventDefault();
              select(e);
            }
          }}
          onEventDrop={({ event, start }: EventInteractionArgs<CalEvent>) => {
            if (!event.draggable) return;
            const wall = new Date(start);
            if (wall.getTime() === event.start.getTime()) return;
            setDrop({ event, start: wall });
          }}
          eventPropGetter={(e) => ({
            className: `cal-event cal-event-${e.post.status}${e.draggable ? ' cal-event-movable' : ''}`,
          })}
        />
      </div>
      {selected ? (
        <SelectedPanel
          event={selected}
          zone={zone}
          movable={selected.draggable}
          pending={move.isPending}
          error={move.error}
          onMove={(wall) => move.mutate({ post: selected.post, wall })}
          onClose={() => closePanel(selected.id)}
        />
      ) : null}
      {selected ? null : <ProblemMessage error={move.error} />}
      <ConfirmDialog
        open={drop !== null}
        title={
          drop
            ? t('calendar:confirm.title', { time: format(drop.start, 'PPPPp', { locale }), zone })
            : t('calendar:confirm.title_plain')
        }
        confirmLabel={t('calendar:confirm.button')}
        onConfirm={() => {
          if (drop) move.mutate({ post: drop.event.post, wall: drop.start });
          setDrop(null);
        }}
        onCancel={() => setDrop(null)}
      >
        {drop ? <p>{excerpt(drop.event.post.body, 120)}</p> : null}
        {drop && (drop.event.post.status === 'approved' || drop.event.post.status === 'in_review') ? (
          <p>{t('calendar:confirm.back_to_review')}</p>
        ) : null}
      </ConfirmDialog>
    </Page>
  );
}
