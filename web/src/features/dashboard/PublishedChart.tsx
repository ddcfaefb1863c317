// Posts published per day over the last two weeks: a bar chart (an image with a summary for
// screen readers) and the same numbers as a table.
import { BarElement, CategoryScale, Chart as ChartJS, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import { format } from 'date-fns';
import { enGB, nl } from 'date-fns/locale';
import { useTranslation } from 'react-i18next';

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip);

function dayLabel(day: string, language: string, pattern: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return format(new Date(y, m - 1, d), pattern, { locale: language.startsWith('nl') ? nl : enGB });
}

export function PublishedChart({ days }: { days: { day: string; count: number }[] }) {
  const { t, i18n } = useTranslation();
  const total = days.reduce((sum, d) => sum + d.count, 0);
  const busiest = days.reduce<{ day: string; count: number } | null>(
    (best, d) => (d.count > 0 && (best === null || d.count > best.count) ? d : best),
    null,
  );
  const short = days.map((d) => dayLabel(d.day, i18n.language, 'd MMM'));
  const summary =
    busiest === null
      ? t('dashboard:chart.summary_none', { days: days.length })
      : t('dashboard:chart.summary', {
          days: days.length,
          total,
          day: dayLabel(busiest.day, i18n.language, 'EEEE d MMMM'),
          count: busiest.count,
        });

  return (
    <section aria-labelledby="chart-heading" className="published-chart">
      <h2 id="chart-heading">{t('dashboard:chart.heading')}</h2>
      <div className="chart-box">
        <Bar
          role="img"
          aria-label={summary}
          data={{
            labels: short,
            datasets: [
              {
                label: t('dashboard:chart.series'),
                data: days.map((d) => d.count),
                backgroundColor: '#1d3a6e',
              },
            ],
          }}
          options={{
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            scales: {
              y: { beginAtZero: true, ticks: { precision: 0, color: '#1a1a1a' } },
              x: { ticks: { color: '#1a1a1a' } },
            },
          }}
          fallbackContent={<p>{summary}</p>}
        />
      </div>
      <details>
        <summary>{t('dashboard:chart.as_table')}</summary>
        <table>
          <caption>{t('dashboard:chart.heading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('dashboard:chart.day')}</th>
              <th scope="col">{t('dashboard:chart.count')}</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <th scope="row">
                  <time dateTime={d.day}>{dayLabel(d.day, i18n.language, 'EEEE d MMMM')}</time>
                </th>
                <td>{d.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
