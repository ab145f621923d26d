import { type Say, sayFrom } from '../../core/texts.ts';

/**
 * What the Discord connector itself says (the core's texts are in src/core/texts.ts). English is the
 * fallback; Arabic members are recognised by the language they write in, since Discord has no `ar` locale.
 */
const catalog = {
  sentDm: { en: "I've sent you a direct message.", ar: 'أرسلت لك رسالة خاصة.' },
  continueInThread: {
    en: 'Your direct messages are closed, so we will continue in {thread}.',
    ar: 'رسائلك الخاصة مغلقة، لذلك سنكمل في {thread}.',
  },
  threadWelcome: {
    en: "{member}, I couldn't send you a direct message (your DMs are closed), so I opened this private thread for you. We'll continue here; only you and the support team can see it.",
    ar: '{member}، لم أستطع إرسال رسالة خاصة إليك (رسائلك الخاصة مغلقة)، لذلك فتحت لك هذه المحادثة الخاصة. سنكمل هنا، ولا يراها إلا أنت وفريق الدعم.',
  },
  threadName: { en: 'Support for {member}', ar: 'دعم {member}' },
  privateThreadWelcome: {
    en: "{member}, this server's support happens in private threads: only you and the support team can see this one. Ask away here.",
    ar: '{member}، الدعم في هذا الخادم يتم في محادثات خاصة: لا يرى هذه إلا أنت وفريق الدعم. اكتب سؤالك هنا.',
  },
  continueInPrivateThread: {
    en: 'We will continue in your private thread {thread}.',
    ar: 'سنكمل في محادثتك الخاصة {thread}.',
  },
  agentRoleAdded: {
    en: '{role}: an agent has this conversation.',
    ar: '{role}: تولّى أحد الموظفين هذه المحادثة.',
  },
  notYourPost: {
    en: 'These buttons are for the member who opened this post.',
    ar: 'هذه الأزرار لصاحب هذا المنشور.',
  },
  setupForumLinked: {
    en: 'Forum {forum}: linked; each new post becomes a support conversation, answered in the post.',
    ar: 'المنتدى {forum}: رُبط؛ كل منشور جديد يصبح محادثة دعم يُجاب عنها في المنشور.',
  },
  setupForumNoTags: {
    en: 'Forum {forum}: linked, but its tags could not be created (the bot needs Manage Channels there).',
    ar: 'المنتدى {forum}: رُبط، لكن تعذّر إنشاء وسومه (يحتاج البوت صلاحية إدارة القنوات فيه).',
  },
  setupForumInvalid: {
    en: '{forum} is not a forum channel of this server; nothing was linked.',
    ar: '{forum} ليست قناة منتدى في هذا الخادم؛ لم يُربط شيء.',
  },
  setupPrivateThreadsOn: {
    en: 'Private-thread mode: on. Members are served in a private thread instead of direct messages.',
    ar: 'وضع المحادثات الخاصة: مفعّل. يُخدم الأعضاء في محادثة خاصة بدلاً من الرسائل الخاصة.',
  },
  setupPrivateThreadsOff: {
    en: 'Private-thread mode: off. Members are served in direct messages.',
    ar: 'وضع المحادثات الخاصة: معطّل. يُخدم الأعضاء في الرسائل الخاصة.',
  },
  setupAgentRole: {
    en: "Agents' role: {role}, added to a private thread once an agent takes it.",
    ar: 'دور الموظفين: {role}، يُضاف إلى المحادثة الخاصة حين يتولاها موظف.',
  },
  bugFiled: {
    en: 'Thank you! Your bug report is case #{case}. I will let you know when its status changes.',
    ar: 'شكراً! بلاغك عن الخطأ هو الحالة رقم #{case}. سأخبرك عندما تتغير حالته.',
  },
  featureFiled: {
    en: 'Thank you! Your feature request is case #{case}.',
    ar: 'شكراً! طلب الميزة الخاص بك هو الحالة رقم #{case}.',
  },
  similarIntro: {
    en: 'Similar requests already exist; if one of them is what you want, upvote it instead:',
    ar: 'توجد طلبات مشابهة؛ إن كان أحدها ما تريده فصوّت له بدلاً من ذلك:',
  },
  similarTitle: { en: 'Similar requests', ar: 'طلبات مشابهة' },
  upvote: { en: 'Upvote', ar: 'تصويت' },
  voteCounted: { en: 'Your vote for #{case} is counted.', ar: 'تم احتساب صوتك للحالة #{case}.' },
  ownRequest: {
    en: '#{case} is your own request, so it has your support already; share it so that others can upvote it.',
    ar: 'الحالة #{case} هي طلبك أنت، فهي تحظى بدعمك من قبل؛ شاركها ليصوّت لها الآخرون.',
  },
  alreadyVoted: {
    en: 'You have already voted for #{case}; each member has one vote.',
    ar: 'لقد صوّت للحالة #{case} من قبل؛ لكل عضو صوت واحد.',
  },
  statusChanged: {
    en: 'Update on your {kind} #{case} "{subject}": it is now **{status}**.',
    ar: 'تحديث على {kind} رقم #{case} "{subject}": الحالة الآن **{status}**.',
  },
  stageChanged: {
    en: 'Update on your {kind} #{case} "{subject}": it is now **{stage}**.',
    ar: 'تحديث على {kind} رقم #{case} "{subject}": أصبح الآن **{stage}**.',
  },
  released: {
    en: 'Fixed in **{note}**: {cases}.{link}',
    ar: 'تم الإصلاح في **{note}**: {cases}.{link}',
  },
  releasedCase: { en: 'your {kind} #{case} "{subject}"', ar: '{kind} رقم #{case} "{subject}"' },
  stage_planned: { en: 'planned', ar: 'مخطط لها' },
  stage_in_progress: { en: 'in progress', ar: 'قيد التنفيذ' },
  stage_shipped: { en: 'shipped', ar: 'تم إطلاقها' },
  stage_declined: { en: 'declined', ar: 'مرفوضة' },
  meToo: { en: 'Me too', ar: 'أنا أيضاً' },
  meTooCounted: {
    en: 'Noted: you have this problem too. We will tell you when #{case} changes.',
    ar: 'تم التسجيل: لديك المشكلة نفسها. سنخبرك عندما تتغير الحالة #{case}.',
  },
  alreadyMeToo: {
    en: 'You have already said "me too" to #{case}; we will tell you when it changes.',
    ar: 'لقد قلت "أنا أيضاً" للحالة #{case} من قبل؛ سنخبرك عندما تتغير.',
  },
  ownReport: {
    en: '#{case} is your own report; we will tell you when it changes.',
    ar: 'الحالة #{case} هي بلاغك أنت؛ سنخبرك عندما تتغير.',
  },
  closedCase: {
    en: '#{case} is {status}; it takes no more votes.',
    ar: 'الحالة #{case} {status}؛ لا تقبل أصواتاً بعد الآن.',
  },
  postStatus: { en: 'Status', ar: 'الحالة' },
  postDuplicate: { en: 'Duplicate of', ar: 'مكررة من' },
  postFixedIn: { en: 'Fixed in', ar: 'تم الإصلاح في' },
  kind_bug: { en: 'bug report', ar: 'بلاغ الخطأ' },
  kind_feature: { en: 'feature request', ar: 'طلب الميزة' },
  kind_support: { en: 'case', ar: 'الحالة' },
  status_new: { en: 'new', ar: 'جديدة' },
  status_open: { en: 'open', ar: 'مفتوحة' },
  status_pending: { en: 'pending', ar: 'قيد الانتظار' },
  status_solved: { en: 'solved', ar: 'تم حلها' },
  status_closed: { en: 'closed', ar: 'مغلقة' },
  // Said while the virtual agent has the conversation; with an agent, files simply reach the desktop.
  attachmentOnly: {
    en: "I received your file, but I'm the automated assistant and I read text only. Please describe your question in words, or press **Talk to a person**: our team will see your file.",
    ar: 'استلمت ملفك، لكنني المساعد الآلي ولا أقرأ إلا النصوص. يرجى وصف سؤالك بالكلمات، أو اضغط **التحدث إلى موظف** وسيرى فريقنا ملفك.',
  },
  textOnly: {
    en: "I'm the automated assistant and I read text only. Please describe your question in words, or press **Talk to a person**.",
    ar: 'أنا المساعد الآلي ولا أقرأ إلا النصوص. يرجى وصف سؤالك بالكلمات، أو اضغط **التحدث إلى موظف**.',
  },
  attachmentQueued: {
    en: 'I received your file and kept it with your conversation; the agent who takes it will see it.',
    ar: 'استلمت ملفك وحفظته مع محادثتك؛ سيراه الموظف الذي يتولاها.',
  },
  bugModalTitle: { en: 'Report a bug', ar: 'الإبلاغ عن خطأ' },
  featureModalTitle: { en: 'Request a feature', ar: 'طلب ميزة' },
  fieldTitle: { en: 'Title', ar: 'العنوان' },
  fieldWhatHappened: { en: 'What happened?', ar: 'ماذا حدث؟' },
  fieldSteps: { en: 'Steps to reproduce', ar: 'خطوات إعادة المشكلة' },
  fieldExpected: { en: 'What did you expect?', ar: 'ما الذي كنت تتوقعه؟' },
  fieldPlatform: { en: 'Platform / version', ar: 'المنصة / الإصدار' },
  fieldDescription: { en: 'Description', ar: 'الوصف' },
  reporter: { en: 'Reported by', ar: 'أبلغ عنه' },
  errorNotFound: { en: "I couldn't find that: {detail}.", ar: 'لم أجد ذلك: {detail}.' },
  errorInvalid: { en: "That didn't work: {detail}.", ar: 'لم ينجح ذلك: {detail}.' },
  errorConflict: { en: "That can't be done now: {detail}.", ar: 'لا يمكن تنفيذ ذلك الآن: {detail}.' },
  errorRateLimited: {
    en: 'That was a lot at once; please wait a moment and try again.',
    ar: 'طلبات كثيرة دفعة واحدة؛ يرجى الانتظار قليلاً ثم المحاولة مرة أخرى.',
  },
  errorForbidden: { en: "You aren't allowed to do that.", ar: 'لا يُسمح لك بذلك.' },
  errorUnknownCommand: { en: "I don't know the command /{command}.", ar: 'لا أعرف الأمر /{command}.' },
  errorUnknownButton: { en: 'This button is no longer active.', ar: 'هذا الزر لم يعد فعالاً.' },
  errorNotSupported: {
    en: "This isn't supported here. Try /helpme or /agent.",
    ar: 'هذا غير مدعوم هنا. جرّب ‎/helpme أو ‎/agent.',
  },
  errorFieldEmpty: { en: 'The field "{field}" is empty.', ar: 'الحقل "{field}" فارغ.' },
  errorFieldTooLong: {
    en: 'The field "{field}" is too long (at most {max} characters).',
    ar: 'الحقل "{field}" طويل جداً (الحد الأقصى {max} حرفاً).',
  },
  errorGuildOnly: { en: 'Please use this command in the server.', ar: 'يرجى استخدام هذا الأمر داخل الخادم.' },
  setupRefused: {
    en: 'Only members with the Manage Server permission can run /setup.',
    ar: 'لا يستطيع تشغيل ‎/setup إلا الأعضاء الذين لديهم صلاحية إدارة الخادم.',
  },
  setupDone: { en: 'Server {server} is set up.', ar: 'تم إعداد الخادم {server}.' },
  setupNotDone: { en: 'Server {server} was not set up.', ar: 'لم يتم إعداد الخادم {server}.' },
  setupCouldNot: { en: 'Could not do: {problem}', ar: 'تعذّر ذلك: {problem}' },
  setupCreated: { en: 'created', ar: 'أُنشئت' },
  setupLinked: { en: 'linked', ar: 'رُبطت' },
  setupFailed: { en: 'failed', ar: 'فشلت' },
  setupPermissionsSet: { en: 'permissions set', ar: 'ضُبطت الصلاحيات' },
  setupPermissionsAlready: { en: 'permissions already as promised', ar: 'الصلاحيات مضبوطة كما يجب من قبل' },
  setupPermissionsKept: { en: 'permissions kept', ar: 'أُبقيت الصلاحيات' },
  setupPermissionsFailed: { en: 'permissions NOT set', ar: 'لم تُضبط الصلاحيات' },
  setupAnnouncementsRule: {
    en: '@everyone reads but cannot post; the bot and the admin roles post',
    ar: 'يقرأ الجميع ولا ينشرون؛ ينشر البوت وأدوار الإدارة',
  },
  setupKeptRule: {
    en: "members' permissions left as they were (an existing channel); the bot may post",
    ar: 'بقيت صلاحيات الأعضاء كما كانت (قناة موجودة من قبل)؛ ويستطيع البوت النشر',
  },
  setupNoCategory: {
    en: 'category: none made (every channel already existed; they stay where they are)',
    ar: 'الفئة: لم تُنشأ (كل القنوات موجودة من قبل وتبقى في أماكنها)',
  },
  errorGeneric: {
    en: 'Something went wrong on our side; please try again in a moment.',
    ar: 'حدث خطأ من جهتنا؛ يرجى المحاولة بعد قليل.',
  },
} as const;

export type DiscordTextKey = keyof typeof catalog;

/** The connector's text in `language` (`ar`, `en-US`, …) or English: the core's helper over this catalog. */
export const t: Say<DiscordTextKey> = sayFrom(catalog, 'discord');
