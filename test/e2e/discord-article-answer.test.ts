import { describe, expect, it } from 'vitest';
import { useDiscordWorld } from './discord-harness.ts';

/**
 * What a member reads when the virtual agent answers on Discord: each article once (an embed with its
 * title, link and the passage that answers, its steps included), and a text that does not repeat it.
 */
describe('Discord: one clean answer per article', () => {
  const w = useDiscordWorld();

  it('shows the title and link once, with the steps that follow "…no longer works:"', async () => {
    const member = w.member({ username: 'noor' });
    w.discord.sendDm(member, 'I forgot my password and it no longer works');
    const answer = await w.waitForDms(
      member,
      (dms) => dms.find((m) => m.embeds.length > 0),
      'an answer with an article',
    );
    const embed = answer.embeds[0] as { title?: string; url?: string; description?: string };
    expect(embed.title).toBe('Reset your password');
    expect(embed.url).toBe('http://switchboard.test/kb/reset-password');
    expect(embed.description).toBe(
      [
        'If you forgot your password or it no longer works:',
        '1. Open the sign-in page and choose Forgot password.',
        '2. Enter the email address of your account.',
        '3. Follow the link we send you within a few minutes; it is valid for one hour.',
      ].join('\n'),
    );

    // Everything the member received, text and embeds together, names each article and link once.
    const everything = JSON.stringify({ content: answer.content, embeds: answer.embeds });
    for (const article of answer.embeds as { title: string; url: string }[]) {
      expect(everything.split(article.title)).toHaveLength(2);
      expect(everything.split(article.url)).toHaveLength(2);
    }
    expect(answer.content).toBe('This may help:');
  });
});
