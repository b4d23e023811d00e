/**
 * An Atom feed of a page's incidents (the feed library writes the XML). It declares entry
 * titles and summaries `type="html"`, so our plain texts are HTML-escaped first: a title
 * such as `<API> is down` reads as text in a feed reader, never as markup.
 */
import { Feed } from 'feed';
import { escapeHtml } from './html.js';
import type { PageView } from './view.js';

export function renderAtom(view: PageView, pageUrl: string): string {
  const incidents = [...view.activeIncidents, ...view.pastIncidents].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  const feed = new Feed({
    id: pageUrl, title: `${view.page.title} status`, link: pageUrl, description: view.page.description || undefined,
    updated: new Date(Math.max(view.page.updatedAt.getTime(), ...incidents.map((i) => i.updatedAt.getTime()))),
    feedLinks: { atom: `${pageUrl}/feed.atom` }, generator: 'Pharos', copyright: '',
  });
  for (const i of incidents) {
    const timeline = [...i.updates].reverse().map((u) => `${u.status} (${u.createdAt.toISOString()}): ${u.message}`).join('\n');
    feed.addItem({
      id: `${pageUrl}#${i.id}`, link: `${pageUrl}#${i.id}`, title: escapeHtml(`${i.resolved ? '[Resolved] ' : ''}${i.title}`),
      date: i.updatedAt, published: i.startedAt, description: escapeHtml([i.message, timeline].filter(Boolean).join('\n')),
    });
  }
  return feed.atom1();
}
