import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import 'react-big-calendar/lib/css/react-big-calendar.css';
import './styles/app.css';
import './i18n';
import { App } from './App';
import { SessionProvider } from './auth/session';
import { AnnouncerProvider } from './layout/live';
import { ApiProblem } from './api/client';

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      // Problems the person must act on (403, 404, 422) are not retried.
      retry: (count, error) =>
        count < 2 && !(error instanceof ApiProblem && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: true,
    },
  },
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queries}>
        <BrowserRouter>
          <AnnouncerProvider>
            <SessionProvider>
              <App />
            </SessionProvider>
          </AnnouncerProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
}
