// The OAuth round trip of a channel: the server registers Heraut with the network and answers
// the network's authorisation page; the browser goes there, and the network sends the person
// back to `/api/v1/oauth/callback`, which shows that the channel is connected.
import { api, call } from '../../api/client';

export async function startOauth(slug: string, channelId: string): Promise<void> {
  const answer = await call(
    api.POST('/api/v1/tenants/{tenant}/channels/{id}/oauth/start', {
      params: { path: { tenant: slug, id: channelId } },
    }),
  );
  // Only a web address: never `javascript:` or another scheme from a network's answer.
  const target = new URL(answer.authorize_url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new Error(`refused authorisation address with scheme ${target.protocol}`);
  }
  window.location.assign(target.toString());
}
