import type { RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';

/**
 * Switchboard's slash commands, localized for the locales Discord supports. Discord has no Arabic locale
 * (an `ar` key is refused with 50035), so Arabic-speaking members are recognised by what they write.
 */
export const commandNames = {
  helpme: 'helpme',
  agent: 'agent',
  bug: 'bug',
  newFeature: 'new_feature',
  setup: 'setup',
} as const;

/** Discord limits a `/helpme` question to this (the core stores longer text, but a question is short). */
export const QUESTION_MAX = 1_000;

type Localized = Partial<Record<string, string>>;

const helpmeNames: Localized = {
  fr: 'aide',
  de: 'hilfe',
  'es-ES': 'ayuda',
  'es-419': 'ayuda',
  'pt-BR': 'ajuda',
  it: 'aiuto',
  nl: 'hulp',
  pl: 'pomoc',
  tr: 'yardim',
  ru: 'помощь',
};
const helpmeDescriptions: Localized = {
  'en-US': 'Get help from our virtual agent in a direct message',
  'en-GB': 'Get help from our virtual agent in a direct message',
  fr: "Obtenir de l'aide de notre agent virtuel en message privé",
  de: 'Hilfe von unserem virtuellen Assistenten per Direktnachricht',
  'es-ES': 'Recibe ayuda de nuestro agente virtual por mensaje directo',
  'es-419': 'Recibe ayuda de nuestro agente virtual por mensaje directo',
  'pt-BR': 'Receba ajuda do nosso agente virtual por mensagem direta',
  it: 'Ricevi aiuto dal nostro agente virtuale in un messaggio diretto',
  nl: 'Krijg hulp van onze virtuele assistent in een privébericht',
  pl: 'Uzyskaj pomoc od naszego wirtualnego asystenta w wiadomości prywatnej',
  tr: 'Sanal asistanımızdan özel mesajla yardım alın',
  ru: 'Помощь виртуального агента в личных сообщениях',
  ja: 'バーチャルエージェントからDMでサポートを受ける',
  'zh-CN': '通过私信获取虚拟客服的帮助',
  ko: 'DM으로 가상 상담원의 도움 받기',
};
const questionNames: Localized = {
  fr: 'question',
  de: 'frage',
  'es-ES': 'pregunta',
  'es-419': 'pregunta',
  'pt-BR': 'pergunta',
  it: 'domanda',
  nl: 'vraag',
  pl: 'pytanie',
  tr: 'soru',
  ru: 'вопрос',
};
const questionDescriptions: Localized = {
  fr: 'Votre question (facultatif)',
  de: 'Ihre Frage (optional)',
  'es-ES': 'Tu pregunta (opcional)',
  'es-419': 'Tu pregunta (opcional)',
  'pt-BR': 'Sua pergunta (opcional)',
  it: 'La tua domanda (facoltativa)',
  nl: 'Je vraag (optioneel)',
  pl: 'Twoje pytanie (opcjonalnie)',
  tr: 'Sorunuz (isteğe bağlı)',
  ru: 'Ваш вопрос (необязательно)',
  ja: '質問（任意）',
  'zh-CN': '你的问题（可选）',
  ko: '질문 (선택 사항)',
};
const agentNames: Localized = {
  fr: 'conseiller',
  de: 'mitarbeiter',
  'es-ES': 'agente',
  'es-419': 'agente',
  'pt-BR': 'atendente',
  it: 'operatore',
  tr: 'temsilci',
  ru: 'оператор',
};
const agentDescriptions: Localized = {
  fr: 'Parler à une personne de notre équipe',
  de: 'Mit einer Person aus unserem Team sprechen',
  'es-ES': 'Hablar con una persona de nuestro equipo',
  'es-419': 'Hablar con una persona de nuestro equipo',
  'pt-BR': 'Falar com uma pessoa da nossa equipe',
  it: 'Parla con una persona del nostro team',
  nl: 'Praat met een medewerker',
  pl: 'Porozmawiaj z osobą z naszego zespołu',
  tr: 'Ekibimizden biriyle konuşun',
  ru: 'Поговорить с сотрудником',
  ja: 'スタッフと話す',
  'zh-CN': '联系人工客服',
  ko: '상담원과 대화하기',
};
const bugDescriptions: Localized = {
  fr: 'Signaler un bug',
  de: 'Einen Fehler melden',
  'es-ES': 'Informar de un error',
  'es-419': 'Reportar un error',
  'pt-BR': 'Relatar um bug',
  it: 'Segnala un bug',
  nl: 'Een bug melden',
  pl: 'Zgłoś błąd',
  tr: 'Hata bildir',
  ru: 'Сообщить об ошибке',
  ja: 'バグを報告する',
  'zh-CN': '报告错误',
  ko: '버그 신고',
};
const featureNames: Localized = {
  fr: 'nouvelle_idee',
  de: 'neue_funktion',
  'es-ES': 'nueva_funcion',
  'es-419': 'nueva_funcion',
  'pt-BR': 'nova_funcao',
  it: 'nuova_funzione',
  tr: 'yeni_ozellik',
  ru: 'новая_функция',
};
const featureDescriptions: Localized = {
  fr: 'Proposer une nouvelle fonctionnalité',
  de: 'Eine neue Funktion vorschlagen',
  'es-ES': 'Proponer una nueva función',
  'es-419': 'Proponer una nueva función',
  'pt-BR': 'Sugerir um novo recurso',
  it: 'Proponi una nuova funzione',
  nl: 'Een nieuwe functie voorstellen',
  pl: 'Zaproponuj nową funkcję',
  tr: 'Yeni bir özellik öner',
  ru: 'Предложить новую функцию',
  ja: '新機能をリクエストする',
  'zh-CN': '建议新功能',
  ko: '새 기능 요청',
};

const setupDescriptions: Localized = {
  fr: 'Créer ou relier les salons officiels de ce serveur',
  de: 'Die offiziellen Kanäle dieses Servers anlegen oder verknüpfen',
  'es-ES': 'Crear o vincular los canales oficiales de este servidor',
  'es-419': 'Crear o vincular los canales oficiales de este servidor',
  'pt-BR': 'Criar ou vincular os canais oficiais deste servidor',
  it: 'Crea o collega i canali ufficiali di questo server',
  nl: 'De officiële kanalen van deze server maken of koppelen',
  ja: 'このサーバーの公式チャンネルを作成またはリンクする',
};

/** `/setup`'s options: a forum to link, private-thread mode, the agents' role. */
export const setupOptions = {
  forum: 'forum',
  privateThreads: 'private_threads',
  agentRole: 'agent_role',
} as const;

/** Discord's forum channel type (the only kind `/setup forum:` offers). */
const FORUM_CHANNEL = 15;

/** Manage Server: `/setup` is offered only to members who hold it (and checked again when it runs). */
export const MANAGE_GUILD = 1n << 5n;

/** Contexts: 0 = in a server, 1 = the bot's DMs. Cases need the server's channels, so those stay there. */
export function switchboardCommands(): RESTPutAPIApplicationCommandsJSONBody {
  return [
    {
      name: commandNames.helpme,
      name_localizations: helpmeNames,
      description: 'Get help from our virtual agent in a direct message',
      description_localizations: helpmeDescriptions,
      contexts: [0, 1],
      options: [
        {
          type: 3,
          name: 'question',
          name_localizations: questionNames,
          description: 'Your question (optional)',
          description_localizations: questionDescriptions,
          required: false,
          max_length: QUESTION_MAX,
        },
      ],
    },
    {
      name: commandNames.agent,
      name_localizations: agentNames,
      description: 'Talk to a person from our team',
      description_localizations: agentDescriptions,
      contexts: [0, 1],
    },
    {
      name: commandNames.bug,
      description: 'Report a bug',
      description_localizations: bugDescriptions,
      contexts: [0],
    },
    {
      name: commandNames.newFeature,
      name_localizations: featureNames,
      description: 'Request a new feature',
      description_localizations: featureDescriptions,
      contexts: [0],
    },
    {
      name: commandNames.setup,
      description: "Create or link this server's official channels",
      description_localizations: setupDescriptions,
      contexts: [0],
      default_member_permissions: String(MANAGE_GUILD),
      options: [
        {
          type: 7,
          name: setupOptions.forum,
          description: 'A forum whose new posts become support conversations',
          channel_types: [FORUM_CHANNEL],
          required: false,
        },
        {
          type: 5,
          name: setupOptions.privateThreads,
          description: 'Serve members in a private thread instead of direct messages',
          required: false,
        },
        {
          type: 8,
          name: setupOptions.agentRole,
          description: "Your support agents' role, added to a private thread once an agent takes it",
          required: false,
        },
      ],
    },
  ];
}
