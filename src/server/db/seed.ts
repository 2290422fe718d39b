// Seed data from the source material (the Comune's talk and the Municipio 8 flyers), plus sample
// values where the material is silent. Sample rows carry is_sample = true and are labelled on the site.
import type { Kysely } from 'kysely';
import type { Database } from './database.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { nextOccurrence, romeToInstant } from '#/lib/time.ts';

const json = (text: LocalizedText) => JSON.stringify(text);

const MUNICIPI: { id: number; quartieri: string[] }[] = [
  { id: 1, quartieri: ['Centro storico', 'Brera', 'Guastalla'] },
  { id: 2, quartieri: ['Villa San Giovanni', 'Greco', 'Crescenzago', 'Padova'] },
  { id: 3, quartieri: ['Città Studi', 'Lambrate', 'Ortica'] },
  { id: 4, quartieri: ['Corvetto', 'Forlanini', 'Ponte Lambro'] },
  { id: 5, quartieri: ['Gratosoglio', 'Stadera', 'Chiaravalle'] },
  { id: 6, quartieri: ['Barona', 'Giambellino', 'Lorenteggio'] },
  { id: 7, quartieri: ['San Siro', 'Baggio', 'Quarto Cagnino'] },
  { id: 8, quartieri: ['Quarto Oggiaro', 'Gallaratese', 'Villapizzone'] },
  { id: 9, quartieri: ['Niguarda', 'Comasina', 'Affori', 'Bovisa'] },
];

const EVENT_2_PARTNERS = [
  "Tempo per l'infanzia Coop. Soc.",
  'UVI – Unione Volontari per l’Infanzia',
  'Casa dei Giochi',
  'Fondazione Francesca Rava',
  'IlVespaio',
  'Ditta Gioco Flaba',
  'Alchemilla',
  'Mirmica',
  'Associazione Genitori Attivi',
  'Whanau Impresa Sociale',
];

export function slugify(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** True when the database already holds the seed (the municipi are the first thing written). */
export async function isSeeded(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('municipio')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n) > 0;
}

/** Writes the seed in one transaction. `now` decides the coming occurrence of the seeded dates. */
export async function seedDatabase(db: Kysely<Database>, now: Date = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('municipio')
      .values(MUNICIPI.map((m) => ({ id: m.id, name: `Municipio ${m.id}`, quartieri: m.quartieri })))
      .execute();
    await trx
      .insertInto('network')
      .values(
        MUNICIPI.map((m) => ({
          municipio_id: m.id,
          slug: `rete-qubi-municipio-${m.id}`,
          name: `Rete QuBì Municipio ${m.id}`,
          // The material gives no addresses: coordinators' mailboxes are sample values.
          email: `rete.municipio${m.id}@qubi.example.org`,
          is_sample: true,
        })),
      )
      .execute();

    // Organisations named on the flyers.
    const organisations = [
      ...EVENT_2_PARTNERS.map((name) => ({ name, municipio_id: 2 })),
      { name: 'Comunità Oklahoma', municipio_id: 5 },
    ];
    const orgRows = await trx
      .insertInto('organisation')
      .values(
        organisations.map((o) => ({
          slug: slugify(o.name),
          name: o.name,
          kind: 'third_sector' as const,
          municipio_id: o.municipio_id,
        })),
      )
      .returning(['id', 'name'])
      .execute();
    const orgId = (name: string) => orgRows.find((o) => o.name === name)!.id;

    // Municipio 8 desks: days, hours and phones from the flyer; addresses, slot length and capacity are sample values.
    const desks = [
      {
        slug: 'quarto-oggiaro',
        area: 'Quarto Oggiaro',
        phone: '351 681 8198',
        weekday: 2,
        opens: '10:00',
        closes: '13:00',
        address: 'Via Pascarella 5, 20157 Milano',
      },
      {
        slug: 'gallaratese',
        area: 'Gallaratese',
        phone: '345 155 2523',
        weekday: 3,
        opens: '14:00',
        closes: '17:00',
        address: 'Via Cilea 6, 20151 Milano',
      },
      {
        slug: 'villapizzone',
        area: 'Villapizzone',
        phone: '333 268 3456',
        weekday: 5,
        opens: '10:00',
        closes: '13:00',
        address: 'Via Console Flaminio 7, 20156 Milano',
      },
    ];
    for (const d of desks) {
      const desk = await trx
        .insertInto('desk')
        .values({
          slug: d.slug,
          municipio_id: 8,
          name: `Spazio QuBì ${d.area}`,
          area: d.area,
          address: d.address,
          phone: d.phone,
          services: ['orientation', 'listening', 'support', 'educational-services'],
          description: json({
            it: 'Uno spazio di orientamento, ascolto e supporto per le famiglie con figli. Su appuntamento, gratuito.',
            en: 'A place for guidance, listening and support for families with children. By appointment, free of charge.',
            ar: 'مكان للإرشاد والاستماع والدعم للعائلات التي لديها أطفال. بموعد مسبق، ومجاني.',
            es: 'Un espacio de orientación, escucha y apoyo para familias con hijos. Con cita previa y gratuito.',
            zh: '为有孩子的家庭提供指引、倾听和支持的地方。需要预约，免费。',
          }),
          slot_minutes: 30,
          capacity_per_slot: 1,
          is_sample_address: true,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('desk_opening_hours')
        .values({ desk_id: desk.id, weekday: d.weekday, opens: d.opens, closes: d.closes })
        .execute();
    }

    // Events, on the coming occurrence of their dates.
    const dec17 = nextOccurrence(12, 17, now);
    const dec22 = nextOccurrence(12, 22, now);
    const festaOklahoma = await trx
      .insertInto('event')
      .values({
        slug: `festa-di-natale-gratosoglio-${dec17.year}`,
        municipio_id: 5,
        title: json({
          it: 'Festa di Natale',
          en: 'Christmas party',
          ar: 'حفلة عيد الميلاد',
          es: 'Fiesta de Navidad',
          zh: '圣诞聚会',
        }),
        summary: json({
          it: 'Merenda, scambio di regali e intrattenimento per tutta la comunità.',
          en: 'Snacks, a gift exchange and entertainment for the whole community.',
          ar: 'وجبة خفيفة وتبادل للهدايا وترفيه لكل المجتمع.',
          es: 'Merienda, intercambio de regalos y entretenimiento para toda la comunidad.',
          zh: '茶点、交换礼物，还有给整个社区的娱乐活动。',
        }),
        description: json({
          it: 'Appuntamento alle 16:30 all’Agorà delle Torri Bianche in via Saponaro. Dalle 16:45, tutti alla Comunità Oklahoma in via Costantino Baroni 228 per una merenda, scambio di regali e intrattenimento collettivo. Ci vediamo in comunità!',
          en: 'Meet at 16:30 at the Agorà delle Torri Bianche in via Saponaro. From 16:45, everyone goes to Comunità Oklahoma, via Costantino Baroni 228, for snacks, a gift exchange and entertainment together. See you in the community!',
          ar: 'نلتقي الساعة 16:30 في Agorà delle Torri Bianche في via Saponaro. من الساعة 16:45 نذهب جميعًا إلى Comunità Oklahoma في via Costantino Baroni 228، لتناول وجبة خفيفة وتبادل الهدايا والترفيه معًا. نراكم في المجتمع!',
          es: 'Nos vemos a las 16:30 en el Agorà delle Torri Bianche, en via Saponaro. Desde las 16:45, todos a la Comunità Oklahoma, en via Costantino Baroni 228, para merendar, intercambiar regalos y divertirnos juntos. ¡Nos vemos en comunidad!',
          zh: '16:30 在 via Saponaro 的 Agorà delle Torri Bianche 集合。16:45 起，大家一起去 via Costantino Baroni 228 的 Comunità Oklahoma，吃茶点、交换礼物，一起娱乐。社区见！',
        }),
        venue: 'Comunità Oklahoma',
        address: 'Via Costantino Baroni 228, 20142 Milano',
        transit_hint: json({
          it: 'Ritrovo alle 16:30 all’Agorà delle Torri Bianche, via Saponaro.',
          en: 'Meeting point at 16:30: Agorà delle Torri Bianche, via Saponaro.',
          ar: 'مكان اللقاء الساعة 16:30: Agorà delle Torri Bianche، via Saponaro.',
          es: 'Punto de encuentro a las 16:30: Agorà delle Torri Bianche, via Saponaro.',
          zh: '16:30 集合地点：Agorà delle Torri Bianche，via Saponaro。',
        }),
        price_note: json({
          it: 'Ingresso libero',
          en: 'Free entry',
          ar: 'الدخول مجاني',
          es: 'Entrada libre',
          zh: '免费入场',
        }),
        starts_at: romeToInstant(dec17.year, 12, 17, 16, 30),
        ends_at: null,
        status: 'published',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('event_organiser')
      .values({ event_id: festaOklahoma.id, organisation_id: orgId('Comunità Oklahoma') })
      .execute();

    const festaCasaGiochi = await trx
      .insertInto('event')
      .values({
        slug: `festa-di-natale-qubi-casa-dei-giochi-${dec22.year}`,
        municipio_id: 2,
        title: json({
          it: 'Festa di Natale QuBì',
          en: 'QuBì Christmas party',
          ar: 'حفلة عيد الميلاد مع QuBì',
          es: 'Fiesta de Navidad QuBì',
          zh: 'QuBì 圣诞聚会',
        }),
        summary: json({
          it: 'Laboratori creativi e uno spettacolo teatrale per tutte le età. Regali e vestiti per i bambini della rete.',
          en: 'Creative workshops and a play for all ages. Gifts and clothes for the children of the network.',
          ar: 'ورشات إبداعية وعرض مسرحي لكل الأعمار. هدايا وملابس لأطفال الشبكة.',
          es: 'Talleres creativos y una obra de teatro para todas las edades. Regalos y ropa para los niños y niñas de la red.',
          zh: '适合所有年龄的创意工作坊和戏剧表演。给网络里的孩子们送礼物和衣服。',
        }),
        description: json({
          it: 'Laboratori creativi per tutte le età e uno spettacolo teatrale per tutte le età. Ingresso a offerta libera: raccoglieremo fondi per regalare sport e cultura alle famiglie fragili. Distribuzione di regali e vestiti ai bambini e alle bambine della rete QuBì.',
          en: 'Creative workshops and a play for all ages. Entry by free offer: the money raised gives sport and culture to families in difficulty. Gifts and clothes for the girls and boys of the QuBì network.',
          ar: 'ورشات إبداعية وعرض مسرحي لكل الأعمار. الدخول بتبرع حر: نجمع المال لنقدم الرياضة والثقافة للعائلات التي تمر بظروف صعبة. نوزع هدايا وملابس على بنات وأولاد شبكة QuBì.',
          es: 'Talleres creativos y una obra de teatro para todas las edades. Entrada con donativo libre: lo recaudado ofrece deporte y cultura a familias en dificultad. Reparto de regalos y ropa para las niñas y los niños de la red QuBì.',
          zh: '适合所有年龄的创意工作坊和戏剧表演。入场自愿捐款：筹到的钱用来帮助困难家庭参加体育和文化活动。现场给 QuBì 网络的孩子们发放礼物和衣服。',
        }),
        venue: 'La Casa dei Giochi',
        address: 'Via Sant’Uguzzone 8, 20126 Milano',
        transit_hint: json({
          it: 'M1 Sesto Marelli / Villa S. Giovanni',
          en: 'Metro M1: Sesto Marelli or Villa S. Giovanni',
          ar: 'المترو M1: محطة Sesto Marelli أو Villa S. Giovanni',
          es: 'Metro M1: Sesto Marelli o Villa S. Giovanni',
          zh: '地铁 M1 线：Sesto Marelli 站或 Villa S. Giovanni 站',
        }),
        price_note: json({
          it: 'Ingresso a offerta libera',
          en: 'Entry by free offer',
          ar: 'الدخول بتبرع حر',
          es: 'Entrada con donativo libre',
          zh: '入场自愿捐款',
        }),
        starts_at: romeToInstant(dec22.year, 12, 22, 14, 30),
        ends_at: romeToInstant(dec22.year, 12, 22, 17, 30),
        status: 'published',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('event_organiser')
      .values(EVENT_2_PARTNERS.map((name) => ({ event_id: festaCasaGiochi.id, organisation_id: orgId(name) })))
      .execute();

    // The zaino sospeso campaign. The flyer has no item list: the list and targets are sample values.
    const campaign = await trx
      .insertInto('campaign')
      .values({
        slug: 'zaino-sospeso',
        title: json({
          it: 'Zaino sospeso',
          en: 'Suspended backpack',
          ar: 'الحقيبة المدرسية المعلّقة',
          es: 'Mochila solidaria',
          zh: '爱心书包',
        }),
        summary: json({
          it: 'Aiuta un bambino in difficoltà economica ad avere il materiale per la scuola.',
          en: 'Help a child whose family cannot afford school supplies.',
          ar: 'ساعد طفلًا من عائلة لا تستطيع شراء الأدوات المدرسية.',
          es: 'Ayuda a un niño o niña con dificultades económicas a tener el material escolar.',
          zh: '帮助经济困难家庭的孩子得到上学用的文具。',
        }),
        description: json({
          it: 'Lo zaino sospeso è un’iniziativa di solidarietà del progetto QuBì per aiutare le famiglie del tuo quartiere a sostenere le spese del materiale scolastico. Dona un articolo della lista e aiuta un bambino a iniziare la scuola in modo sereno.',
          en: 'The suspended backpack is a solidarity initiative of the QuBì project. It helps families in your neighbourhood pay for school supplies. Donate an item from the list and help a child start school with peace of mind.',
          ar: 'الحقيبة المدرسية المعلّقة مبادرة تضامن من مشروع QuBì. تساعد العائلات في حيّك على دفع تكاليف الأدوات المدرسية. تبرّع بشيء من القائمة، وساعد طفلًا على بدء المدرسة براحة بال.',
          es: 'La mochila solidaria es una iniciativa de solidaridad del proyecto QuBì. Ayuda a las familias de tu barrio a pagar el material escolar. Dona un artículo de la lista y ayuda a un niño o niña a empezar el colegio con tranquilidad.',
          zh: '爱心书包是 QuBì 项目的一项互助活动，帮助您所在街区的家庭支付学习用品的费用。捐一件清单上的物品，帮助孩子安心开始上学。',
        }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const items: { slug: string; it: string; en: string; ar: string; es: string; zh: string; target: number }[] = [
      { slug: 'zaino', it: 'Zaino', en: 'Backpack', ar: 'حقيبة مدرسية', es: 'Mochila', zh: '书包', target: 40 },
      {
        slug: 'astuccio',
        it: 'Astuccio completo',
        en: 'Filled pencil case',
        ar: 'مقلمة كاملة',
        es: 'Estuche completo',
        zh: '装好文具的笔袋',
        target: 40,
      },
      {
        slug: 'quaderni-quadretti',
        it: 'Quaderni a quadretti',
        en: 'Squared exercise books',
        ar: 'دفاتر بمربعات',
        es: 'Cuadernos de cuadrícula',
        zh: '方格练习本',
        target: 150,
      },
      {
        slug: 'quaderni-righe',
        it: 'Quaderni a righe',
        en: 'Lined exercise books',
        ar: 'دفاتر بسطور',
        es: 'Cuadernos de rayas',
        zh: '横线练习本',
        target: 150,
      },
      {
        slug: 'diario',
        it: 'Diario scolastico',
        en: 'School diary',
        ar: 'مفكرة مدرسية',
        es: 'Agenda escolar',
        zh: '学生记事本',
        target: 40,
      },
      {
        slug: 'pastelli',
        it: 'Pastelli colorati',
        en: 'Coloured pencils',
        ar: 'أقلام تلوين',
        es: 'Lápices de colores',
        zh: '彩色铅笔',
        target: 60,
      },
      {
        slug: 'colla',
        it: 'Colla stick',
        en: 'Glue stick',
        ar: 'صمغ أصبع',
        es: 'Pegamento en barra',
        zh: '固体胶',
        target: 80,
      },
      {
        slug: 'forbici',
        it: 'Forbici con punta arrotondata',
        en: 'Round-tip scissors',
        ar: 'مقص برأس مستدير',
        es: 'Tijeras de punta redonda',
        zh: '圆头剪刀',
        target: 40,
      },
    ];
    await trx
      .insertInto('campaign_item')
      .values(
        items.map((item, i) => ({
          campaign_id: campaign.id,
          slug: item.slug,
          name: json({ it: item.it, en: item.en, ar: item.ar, es: item.es, zh: item.zh }),
          target: item.target,
          position: i,
          is_sample: true,
        })),
      )
      .execute();

    // Drop-off points: the three Municipio 8 desks, during their opening hours in the coming weeks (sample).
    for (const d of desks) {
      const point = await trx
        .insertInto('drop_off_point')
        .values({
          campaign_id: campaign.id,
          slug: d.slug,
          name: `Spazio QuBì ${d.area}`,
          address: d.address,
          municipio_id: 8,
          notes: json({
            it: 'Chiedi dello zaino sospeso all’ingresso.',
            en: 'Ask for the suspended backpack at the entrance.',
            ar: 'اسأل عن الحقيبة المدرسية المعلّقة عند المدخل.',
            es: 'Pregunta por la mochila solidaria en la entrada.',
            zh: '请在入口处询问爱心书包。',
          }),
          is_sample: true,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const [oh, om] = d.opens.split(':').map(Number) as [number, number];
      const [ch, cm] = d.closes.split(':').map(Number) as [number, number];
      const windows = upcomingWeekdays(d.weekday, now, 4).map((day) => ({
        drop_off_point_id: point.id,
        starts_at: romeToInstant(day.year, day.month, day.day, oh, om),
        ends_at: romeToInstant(day.year, day.month, day.day, ch, cm),
      }));
      await trx.insertInto('collection_window').values(windows).execute();
    }
  });
}

/** The next `count` dates (from tomorrow) that fall on an ISO weekday, as Rome calendar days. */
function upcomingWeekdays(weekday: number, now: Date, count: number): { year: number; month: number; day: number }[] {
  const result: { year: number; month: number; day: number }[] = [];
  // Noon UTC keeps the calendar day stable whatever the DST offset.
  const cursor = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 12));
  while (result.length < count) {
    cursor.setUTCDate(cursor.getUTCDate() + 1);
    const isoDay = ((cursor.getUTCDay() + 6) % 7) + 1;
    if (isoDay === weekday)
      result.push({ year: cursor.getUTCFullYear(), month: cursor.getUTCMonth() + 1, day: cursor.getUTCDate() });
  }
  return result;
}
