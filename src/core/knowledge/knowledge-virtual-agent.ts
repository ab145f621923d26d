import type { Article, SuggestedArticle } from '../model.ts';
import type { ArticleRepository } from '../ports/repositories.ts';
import type { SearchHit, SearchIndex } from '../ports/search-index.ts';
import type { VirtualAgent, VirtualAgentReply, VirtualAgentRequest } from '../ports/virtual-agent.ts';
import { detectConversationalIntent } from './handoff-detector.ts';
import { baseLanguage, detectLanguage } from './language-detector.ts';

/** What the virtual agent says, per language. `{name}`-style placeholders are not used: texts are complete. */
export interface VirtualAgentTexts {
  greeting: string;
  /** Before the suggested articles. */
  answerLeadIn: string;
  /** Said when no article is a confident match; offers a person. */
  unsure: string;
  handoff: string;
  thanks: string;
  goodbye: string;
}

export const defaultVirtualAgentTexts: Record<string, VirtualAgentTexts> = {
  en: {
    greeting:
      'Hi! I can answer questions from our help center, or get you a person. What can I help you with?',
    answerLeadIn: 'This may help:',
    unsure:
      'I\'m not sure I have the answer to that. Would you like to talk to a person? Just say "agent" and I\'ll get someone.',
    handoff: "Sure — I'm getting you a person. Someone from the team will reply here soon.",
    thanks: "You're welcome! Anything else I can help with?",
    goodbye: 'Goodbye, and thanks for reaching out!',
  },
  ar: {
    greeting: 'مرحبًا! يمكنني الإجابة عن أسئلتك من مركز المساعدة، أو تحويلك إلى موظف. كيف أستطيع مساعدتك؟',
    answerLeadIn: 'قد يساعدك هذا:',
    unsure: 'لست متأكدًا من أن لدي إجابة عن ذلك. هل تريد التحدث مع موظف؟ اكتب "موظف" وسأحوّلك.',
    handoff: 'بالتأكيد — سأحوّلك إلى موظف. سيرد عليك أحد أعضاء الفريق هنا قريبًا.',
    thanks: 'على الرحب والسعة! هل هناك شيء آخر يمكنني مساعدتك فيه؟',
    goodbye: 'مع السلامة، وشكرًا لتواصلك معنا!',
  },
  fr: {
    greeting:
      "Bonjour ! Je peux répondre à vos questions à partir de notre centre d'aide, ou vous passer une personne. Comment puis-je vous aider ?",
    answerLeadIn: 'Ceci pourrait vous aider :',
    unsure:
      "Je ne suis pas sûr d'avoir la réponse. Voulez-vous parler à une personne ? Écrivez « agent » et je fais venir quelqu'un.",
    handoff: "Bien sûr — je vous passe une personne. Quelqu'un de l'équipe vous répondra ici bientôt.",
    thanks: 'Avec plaisir ! Puis-je vous aider pour autre chose ?',
    goodbye: 'Au revoir, et merci de nous avoir contactés !',
  },
  es: {
    greeting:
      '¡Hola! Puedo responder a tus preguntas con nuestro centro de ayuda o pasarte con una persona. ¿En qué puedo ayudarte?',
    answerLeadIn: 'Esto puede ayudarte:',
    unsure:
      'No estoy seguro de tener la respuesta. ¿Quieres hablar con una persona? Escribe «agente» y te paso con alguien.',
    handoff: 'Claro — te paso con una persona. Alguien del equipo te responderá aquí pronto.',
    thanks: '¡De nada! ¿Puedo ayudarte con algo más?',
    goodbye: '¡Adiós, y gracias por escribirnos!',
  },
  de: {
    greeting:
      'Hallo! Ich beantworte Fragen aus unserem Hilfe-Center oder verbinde dich mit einem Menschen. Wie kann ich helfen?',
    answerLeadIn: 'Das könnte helfen:',
    unsure:
      'Ich bin nicht sicher, ob ich darauf eine Antwort habe. Möchtest du mit einem Menschen sprechen? Schreib „Agent“ und ich hole jemanden.',
    handoff: 'Gern — ich verbinde dich mit einem Menschen. Jemand aus dem Team antwortet dir hier bald.',
    thanks: 'Gern geschehen! Kann ich sonst noch helfen?',
    goodbye: 'Tschüss, und danke für deine Nachricht!',
  },
};

/**
 * Maps search scores to a 0..1 confidence with a logistic function of the top score and its lead
 * over the runner-up. The defaults suit `Bm25SearchIndex` (whose score ≈ the share of the question
 * the article matches): chosen on CLINC150 `val` + `oos_val` with 10 examples per article, where
 * they give AUROC .94 for in-scope vs out-of-scope and put the best threshold at 0.5 (bench/kb.ts).
 * Another index needs its own calibration.
 */
export interface ConfidenceCalibration {
  bias: number;
  topWeight: number;
  marginWeight: number;
}

export interface KnowledgeVirtualAgentOptions {
  /** Below this confidence the agent says it is not sure and offers a person. Chosen on validation data. */
  confidenceThreshold: number;
  calibration: ConfidenceCalibration;
  /** At most this many articles per answer. */
  maxArticles: number;
  /** Further articles are shown only when their score is at least this share of the best one. */
  relatedScoreRatio: number;
  /** The public link of an article in the help center. */
  articleUrl: (article: Article) => string;
  /**
   * Also write the suggested articles into the reply text, for a channel that cannot show them. Off by
   * default: Discord, web chat and the desktop show each article once (title, link, excerpt), and the
   * text only leads in, so that nothing is said twice.
   */
  articlesInText: boolean;
  texts: Record<string, VirtualAgentTexts>;
  /** Language when neither the question nor the contact's locale gives a supported one. */
  defaultLanguage: string;
}

export const defaultKnowledgeVirtualAgentOptions: KnowledgeVirtualAgentOptions = {
  confidenceThreshold: 0.5,
  calibration: { bias: -4.7, topWeight: 8, marginWeight: 1 },
  maxArticles: 3,
  relatedScoreRatio: 0.75,
  articleUrl: (article) => `/kb/${encodeURIComponent(article.id)}`,
  articlesInText: false,
  texts: defaultVirtualAgentTexts,
  defaultLanguage: 'en',
};

export type ArticleLookup = Pick<ArticleRepository, 'get'>;

/** The built-in virtual agent: answers from the knowledge base, recognises hand-off, thanks and greetings. */
export class KnowledgeVirtualAgent implements VirtualAgent {
  readonly options: KnowledgeVirtualAgentOptions;

  constructor(
    private readonly index: SearchIndex,
    private readonly articles: ArticleLookup,
    options: Partial<KnowledgeVirtualAgentOptions> = {},
  ) {
    this.options = { ...defaultKnowledgeVirtualAgentOptions, ...options };
  }

  greet(language: string): string {
    return this.textsFor(this.supported(language) ?? this.options.defaultLanguage).greeting;
  }

  async reply(request: VirtualAgentRequest): Promise<VirtualAgentReply> {
    const language = this.replyLanguage(request);
    const texts = this.textsFor(language);
    const base = { articles: [] as SuggestedArticle[], language };

    const said = detectConversationalIntent(request.text);
    if (said === 'handoff') return { ...base, intent: 'handoff', text: texts.handoff, confidence: 1 };
    if (said === 'thanks') return { ...base, intent: 'thanks', text: texts.thanks, confidence: 1 };
    if (said === 'goodbye') return { ...base, intent: 'thanks', text: texts.goodbye, confidence: 1 };
    if (said === 'greeting') return { ...base, intent: 'greeting', text: texts.greeting, confidence: 1 };

    const hits = await this.searchPreferringLocale(request.text, language);
    const confidence = this.confidence(hits);
    if (confidence < this.options.confidenceThreshold || hits.length === 0) {
      return { ...base, intent: 'unsure', text: texts.unsure, confidence };
    }

    const top = hits[0]?.score ?? 0;
    const articles: SuggestedArticle[] = [];
    for (const hit of hits) {
      if (articles.length >= this.options.maxArticles) break;
      if (articles.length > 0 && hit.score < top * this.options.relatedScoreRatio) break;
      const article = await this.articles.get(hit.articleId);
      if (!article?.published) continue;
      articles.push({
        id: article.id,
        title: article.title,
        excerpt: hit.excerpt,
        url: this.options.articleUrl(article),
        score: hit.score,
      });
    }
    if (articles.length === 0) return { ...base, intent: 'unsure', text: texts.unsure, confidence: 0 };
    return { ...base, intent: 'answer', text: this.answerText(texts, articles), articles, confidence };
  }

  /** Calibrated 0..1 confidence that the top hit answers the question (low for out-of-scope questions). */
  confidence(hits: SearchHit[]): number {
    // An engine that calibrates itself (the fused index) knows better than a fit of its raw scores.
    if (hits[0]?.confidence !== undefined) return hits[0].confidence;
    const top = hits[0]?.score ?? 0;
    if (top <= 0) return 0;
    const second = hits[1]?.score ?? 0;
    const { bias, topWeight, marginWeight } = this.options.calibration;
    const z = bias + topWeight * top + marginWeight * ((top - second) / top);
    return 1 / (1 + Math.exp(-z));
  }

  private answerText(texts: VirtualAgentTexts, articles: SuggestedArticle[]): string {
    if (!this.options.articlesInText) return texts.answerLeadIn;
    const blocks = articles.map((a) => [a.title, a.excerpt, a.url].filter(Boolean).join('\n'));
    return [texts.answerLeadIn, ...blocks].join('\n\n');
  }

  /** Articles in the reply language first; the whole KB when that locale has nothing relevant. */
  private async searchPreferringLocale(text: string, language: string): Promise<SearchHit[]> {
    const limit = Math.max(this.options.maxArticles, 2);
    const local = await this.index.search(text, { limit, locale: language });
    if (local.length > 0 && this.confidence(local) >= this.options.confidenceThreshold) return local;
    const all = await this.index.search(text, { limit });
    return this.confidence(all) > this.confidence(local) ? all : local;
  }

  private replyLanguage(request: VirtualAgentRequest): string {
    const detected = detectLanguage(request.text);
    const candidates = [
      detected && detected.confidence >= 0.5 ? detected.language : null,
      request.locale ? baseLanguage(request.locale) : null,
      detected?.language ?? null,
      request.conversation.language ? baseLanguage(request.conversation.language) : null,
    ];
    for (const c of candidates) {
      const s = c ? this.supported(c) : undefined;
      if (s) return s;
    }
    return this.options.defaultLanguage;
  }

  private supported(language: string): string | undefined {
    const base = baseLanguage(language);
    return this.options.texts[base] ? base : undefined;
  }

  private textsFor(language: string): VirtualAgentTexts {
    const texts = this.options.texts[language] ?? this.options.texts[this.options.defaultLanguage];
    return texts ?? (defaultVirtualAgentTexts.en as VirtualAgentTexts);
  }
}
