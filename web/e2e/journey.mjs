// The browser journey of the web UI (started by the server's test suite, which prepares the
// server, the people and the channels and passes them in a JSON file):
//   editor signs in with TOTP → composes for Mastodon and Bluesky → submits;
//   approver signs in with a recovery code → approves → the editor's page shows it published,
//   with links to both networks (live, without reloading);
//   a second post is rejected and goes back to its author with the reason;
//   the owner switches crisis mode on → an approved post is held, not sent;
//   the owner plans a draft (shown on the calendar) and connects a Mastodon account through
//   the network's own sign-in page (OAuth);
//   every screen is checked with axe-core (in English, and in Dutch on some), no CSP report.
// Usage: node e2e/journey.mjs config.json
import { readFileSync, writeFileSync } from 'node:fs';
import { axe, launch, person, shot, step, totp } from './lib.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = config.base;
const tenant = config.tenant;
const shots = config.screenshots ?? null;
const axeLog = [];
const stamp = Date.now().toString(36);

async function check(who, screen) {
  // Not 'networkidle': the live-update stream stays open. Wait until no screen part is loading.
  await who.page.waitForFunction(() => !document.querySelector('.loading'));
  await who.page.waitForTimeout(300);
  await axe(who.page, screen, axeLog);
  const lang = await who.page.evaluate(() => document.documentElement.lang);
  axeLog[axeLog.length - 1].lang = lang;
}

/** Signs in through the sign-in page: password, then a TOTP code or a recovery code. */
async function signIn(who, credentials, { screens = false } = {}) {
  const { page } = who;
  await page.goto(`${base}/`);
  await page.getByLabel('E-mail address').waitFor();
  if (screens) {
    await check(who, 'sign-in');
    await shot(page, shots, 'sign-in');
  }
  await page.getByLabel('E-mail address').fill(credentials.email);
  await page.getByLabel('Password', { exact: true }).fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (credentials.totp) {
    const code = page.getByLabel('6-digit code');
    await code.waitFor();
    if (screens) {
      await check(who, 'sign-in: second factor');
      await shot(page, shots, 'sign-in-code');
    }
    await code.fill(await totp(credentials.totp));
  } else {
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(credentials.recovery.shift());
  }
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.getByRole('navigation', { name: 'Organisation menu' }).or(page.getByRole('heading', { level: 1 })).first().waitFor();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
}

/** The first status badge reading exactly `label`. */
function badge(page, label) {
  return page.locator('.badge-label').filter({ hasText: new RegExp(`^${label}$`) }).first();
}

async function nav(who, name) {
  await who.page.locator('nav.tenant-nav').getByRole('link', { name, exact: true }).click();
  await who.page.getByRole('heading', { level: 1 }).first().waitFor();
}

/** Composes a post for the given channels and submits it; returns its id (from the address). */
async function compose(
  who,
  text,
  channels,
  { screens = false, schedule = null, draft = false, warning = null, poll = null } = {},
) {
  const { page } = who;
  await nav(who, 'New post');
  await page.getByLabel('Text', { exact: true }).fill(text);
  for (const c of channels) {
    await page.getByRole('checkbox', { name: new RegExp(c.name) }).check();
  }
  if (warning) {
    await page.getByLabel('Content warning (optional)').fill(warning);
  }
  if (poll) {
    await page.getByRole('checkbox', { name: 'Add a poll' }).check();
    await page.getByLabel('Answers', { exact: true }).fill(poll.join('\n'));
    await check(who, 'composer with a poll and a content warning');
  }
  if (schedule) {
    await page.getByRole('radio', { name: 'At a time' }).check();
    await page.getByLabel('Date and time').fill(schedule);
  }
  // The preview shows the text once per chosen channel.
  await page.getByText(text, { exact: true }).nth(channels.length - 1).waitFor();
  if (screens) {
    await check(who, 'composer');
    await shot(page, shots, 'composer');
  }
  if (draft) {
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved.').first().waitFor();
    return page.url();
  }
  await page.getByRole('button', { name: 'Submit for approval' }).click();
  await page.waitForURL(/\/posts\/[0-9a-f-]{36}$/);
  const id = page.url().split('/').pop();
  await badge(page, 'In review').waitFor();
  return id;
}

/** The review panel says the post no longer waits (the decision's own message may be brief). */
async function decided(page) {
  await page.getByText('This post is no longer waiting for approval.').first().waitFor();
}

async function review(who, id) {
  const { page } = who;
  await nav(who, 'Approvals');
  await page.locator(`a[href$="${id}"]`).filter({ hasText: 'Review' }).first().click();
  await page.getByRole('heading', { name: 'Your decision' }).waitFor();
}

async function main() {
  const browser = await launch();
  const people = [];
  try {
    const editor = await person(browser, 'editor');
    const approver = await person(browser, 'approver');
    const owner = await person(browser, 'owner');
    const admin = await person(browser, 'admin');
    people.push(editor, approver, owner, admin);
    const { mastodon, bluesky } = config.channels;

    step('the editor signs in with a TOTP code');
    // The test used the current step to enrol; a step is accepted once.
    await totp(config.people.editor.totp);
    await signIn(editor, config.people.editor, { screens: true });
    await check(editor, 'dashboard');
    await shot(editor.page, shots, 'dashboard');

    step('the editor composes for two channels and submits');
    const text = `Road works on Main Street from Monday ${stamp}`;
    const published = await compose(editor, text, [mastodon, bluesky], { screens: true });
    await check(editor, 'post detail (in review)');

    step('the approver signs in with a recovery code and approves');
    await signIn(approver, config.people.approver);
    await review(approver, published);
    await check(approver, 'approval queue');
    await shot(approver.page, shots, 'approvals');
    await approver.page.getByLabel('Comment with your approval (optional)').fill('Good to go.');
    await approver.page.getByRole('button', { name: 'Approve', exact: true }).click();
    await decided(approver.page);

    step('the editor sees it published with links, without reloading');
    const links = editor.page.getByRole('link', { name: /^View on / });
    await links.nth(1).waitFor({ timeout: 60_000 });
    await badge(editor.page, 'Published').waitFor();
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    await check(editor, 'post detail (published)');
    await shot(editor.page, shots, 'post-published');

    step('a post is rejected and goes back to its author');
    const rejectedText = `Summer festival parking ${stamp}`;
    const rejected = await compose(editor, rejectedText, [mastodon]);
    await review(approver, rejected);
    await approver.page.getByRole('button', { name: 'Reject…' }).click();
    const reason = 'Please add the dates of the festival.';
    await approver.page.getByRole('dialog').getByLabel('Reason').fill(reason);
    await approver.page.getByRole('dialog').getByRole('button', { name: 'Reject post' }).click();
    await decided(approver.page);
    await approver.page.getByText(reason).first().waitFor();
    await editor.page.goto(`${base}/t/${tenant}/posts/${rejected}`);
    await editor.page.getByText(reason).first().waitFor();
    await badge(editor.page, 'Draft').waitFor();
    await check(editor, 'post detail (rejected)');
    await shot(editor.page, shots, 'post-rejected');

    step('the owner switches crisis mode on; an approved post is held');
    await signIn(owner, config.people.owner);
    await nav(owner, 'Crisis mode');
    await check(owner, 'crisis mode (off)');
    await owner.page.getByLabel('Banner message').fill('Storm warning: all planned posts are paused.');
    await owner.page.getByRole('switch', { name: /Crisis mode/ }).click();
    await owner.page.getByRole('dialog').getByRole('button', { name: 'Switch crisis mode on' }).click();
    await owner.page.getByText('Crisis mode is on', { exact: false }).first().waitFor();
    await owner.page.getByRole('region', { name: 'Crisis mode notice' }).waitFor();
    const heldText = `Open day at the town hall ${stamp}`;
    const held = await compose(editor, heldText, [mastodon, bluesky]);
    await review(approver, held);
    await approver.page.getByRole('button', { name: 'Approve', exact: true }).click();
    await decided(approver.page);
    await owner.page.reload();
    await owner.page.getByRole('heading', { name: 'Held while crisis mode is on' }).waitFor();
    await owner.page.getByText(heldText, { exact: false }).first().waitFor({ timeout: 30_000 });
    await check(owner, 'crisis mode (on, holding a post)');
    await shot(owner.page, shots, 'crisis');

    step('the owner plans a draft for tomorrow morning; the calendar shows it');
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
    await compose(owner, `Library opening hours for the holidays ${stamp}`, [mastodon], {
      schedule: `${tomorrow}T10:00`,
      draft: true,
      warning: 'Opening hours',
      poll: ['Morning', 'Evening'],
    });

    step('the owner connects a Mastodon account through its sign-in page (OAuth)');
    const oauthChannel = `Town hall on Mastodon ${stamp}`;
    await nav(owner, 'Channels');
    await owner.page.getByLabel('Network').selectOption('mastodon');
    await owner.page.getByLabel('Channel name').fill(oauthChannel);
    await owner.page.getByLabel('Instance address').fill(config.peers.mastodon);
    await owner.page.getByRole('button', { name: 'Connect through Mastodon' }).click();
    // The network's own page: choose the account to allow.
    await owner.page.waitForURL((u) => u.href.startsWith(config.peers.mastodon));
    await owner.page.getByRole('button').first().click();
    await owner.page.getByRole('heading', { name: 'Channel connected' }).waitFor();
    await owner.page.getByRole('link', { name: 'Back to Heraut' }).click();
    await nav(owner, 'Channels');
    await owner.page.getByRole('row', { name: new RegExp(oauthChannel) }).getByText('Active').waitFor();
    await shot(owner.page, shots, 'channels');

    step('every other screen passes axe, in English and in Dutch');
    for (const [name, screen, image] of [
      ['Posts', 'posts', 'posts'],
      ['Calendar', 'calendar', 'calendar'],
      ['Channels', 'channels', null],
      ['Members', 'members', 'members'],
      ['Approval policy', 'approval policy', 'policy'],
      ['Audit log', 'audit log', 'audit'],
      ['Settings', 'organisation settings', 'settings'],
      ['Dashboard', 'dashboard (owner, crisis)', 'dashboard-crisis'],
    ]) {
      await nav(owner, name);
      if (name === 'Calendar') {
        await owner.page.getByText(/Library opening hours/).first().waitFor();
      }
      if (name === 'Audit log') {
        await owner.page.getByRole('button', { name: /Verify/ }).click();
        await owner.page.getByText(/Intact/).first().waitFor();
      }
      await check(owner, screen);
      if (image) await shot(owner.page, shots, image);
    }
    await owner.page.getByRole('link', { name: 'My account' }).click();
    await owner.page.getByRole('heading', { level: 1 }).waitFor();
    await check(owner, 'my account');
    await owner.page.getByLabel('Language').selectOption('nl');
    await owner.page.getByRole('link', { name: 'Mijn account' }).waitFor();
    await check(owner, 'my account (Dutch)');
    await owner.page.getByRole('link', { name: 'Heraut' }).click();
    await nav(owner, 'Kalender');
    await check(owner, 'calendar (Dutch)');
    await nav(owner, 'Goedkeuringen');
    await check(owner, 'approvals (Dutch)');
    await nav(owner, 'Crisismodus');
    await check(owner, 'crisis mode (Dutch)');
    await nav(owner, 'Nieuw bericht');
    await check(owner, 'composer (Dutch)');
    await owner.page.goto(`${base}/accessibility`);
    await owner.page.getByRole('heading', { level: 1 }).waitFor();
    await check(owner, 'accessibility statement (Dutch)');

    step('the instance administrator signs in with a recovery code');
    await signIn(admin, config.people.admin);
    await admin.page.goto(`${base}/admin`);
    await admin.page.getByRole('heading', { level: 1 }).waitFor();
    await admin.page.getByText('mastodon', { exact: true }).first().waitFor();
    await check(admin, 'instance administration');
    await shot(admin.page, shots, 'admin');

    const problems = people.flatMap((p) => p.problems);
    if (problems.length > 0) throw new Error(`the browser reported:\n${problems.join('\n')}`);
    writeFileSync(
      config.result,
      JSON.stringify(
        {
          published: { id: published, text, links: hrefs },
          rejected: { id: rejected, reason },
          held: { id: held, text: heldText },
          oauth_channel: oauthChannel,
          axe: axeLog,
        },
        null,
        2,
      ),
    );
    step('done');
  } catch (e) {
    for (const p of people) {
      try {
        await p.page.screenshot({ path: `${config.result}.${p.name}.png` });
        process.stderr.write(`[e2e] ${p.name} was at ${p.page.url()}; screenshot ${config.result}.${p.name}.png\n`);
        process.stderr.write(`[e2e] ${p.name} problems: ${p.problems.join(' | ')}\n`);
      } catch {
        // the page may be gone
      }
    }
    throw e;
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
