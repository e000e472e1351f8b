//! The case-file benchmark, run by `benches/cases.sh` (as root: cold figures need the page
//! cache dropped). In one run, at 100,000 and at 1,000,000 cases (`BALIE_BENCH_CASES`
//! picks one size instead), a cockpit database is generated and then measured:
//!
//! - search (`case::search` with the dossier window's list length): a few hundred distinct
//!   queries sampled the way clerks type (a last name, a first and last name, a word, the
//!   start of a word or name, two words, a name and a product word, a case number, an
//!   enterprise number, a product word, a word found nowhere; names and words drawn by the
//!   same Zipf law as the data, so common and rare ones both occur), each run once per
//!   pass: first cold (the page cache dropped and the store opened afresh before every
//!   query), then warm (the same queries again on one connection, the cache as the cold
//!   pass left it);
//! - opening a case (`case::open`, with its audit line): cases drawn at random over all
//!   ids, cold then warm in the same way;
//! - the recent list, cold and warm;
//! - the cockpit's core start with that database (`Cockpit::start`: schema check,
//!   retention purge, embedded relay, payments resumed), cold and warm, median of three
//!   (it runs in this process, so its code is in memory either way; cold means its data
//!   is not);
//! - the whole application under Xvfb, from launching it (under WebKitWebDriver, whose own
//!   start counts too) to the dossier window listing the recent cases, cold and warm,
//!   median of three.
//!
//! Each pass reports nearest-rank p50 and p95 and the maximum, in milliseconds rounded up.
//! Without root, cold figures are left out and the run says so. On a virtual machine the
//! host may still hold the disk's blocks in its own cache: cold there is this system's
//! cold, not necessarily the disk's.
//!
//! The data comes from a seeded generator, so every run builds the same rows (times are
//! counted back from the day it runs):
//! - note and title words drawn by Zipf's law (s = [`ZIPF_S`]) over a vocabulary of
//!   [`VOCABULARY`] words, the real domain words at its head and pseudo-Dutch ones made from
//!   syllables after them, with Dutch stop words in between; first and last names by the
//!   same law over a few thousand names, real Flemish ones at the head;
//! - cases created over six years in id order, each changed last at its last activity
//!   (notes, calls, documents, payments), a tenth of them touched again at a random later
//!   time: the update order drifts from the id order as in a real store;
//! - besides notes, calls (only those of the retention period: older ones are purged),
//!   documents, final payments with their steps, identity checks and the audit lines
//!   each of these writes;
//! - every row written in the order of its time, across cases (a case's notes lie far apart
//!   in the file), and the full-text index as the application leaves it: grown by inserts
//!   with FTS5's default merging, never `optimize`d, and no `ANALYZE` (the application runs
//!   neither). Generating uses its own connection settings (no journal, no syncs, a large
//!   cache, big transactions); every measured connection is opened by `balie_store::open`
//!   with the store's own.
//!
//! Goals (issue 5): search p95 ≤ 20 ms, opening ≤ 50 ms, start ≤ 2 s.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use balie_cockpit::cases::LIST_LENGTH;
use balie_store::cockpit::case;
use balie_testkit::cockpit::Cockpit;
use balie_testkit::display::one_monitor;
use rusqlite::{Connection, params};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The two sizes of a full run.
const SIZES: [u64; 2] = [100_000, 1_000_000];
/// Parties per case: most people have one or two cases, some companies many.
const PARTIES_PER_CASE: f64 = 0.4;
/// Mean notes per case, at both sizes (1,000,000 cases take some eight minutes to generate
/// on two cores).
const NOTES_PER_CASE: f64 = 10.0;
/// Zipf's exponent for words and names.
const ZIPF_S: f64 = 1.0;
/// Words in the vocabulary (real domain words first, then generated ones).
const VOCABULARY: usize = 6_000;
const FIRST_NAMES: usize = 2_000;
const LAST_NAMES: usize = 4_000;
/// The share of a note's words that are stop words ("de", "het", "van").
const STOP_SHARE: f64 = 0.35;
/// How far back the cases go.
const YEARS: i64 = 6;
/// The share of cases touched again at a random time after their first weeks.
const LATE_TOUCH: f64 = 0.1;
/// Calls are kept two years (the default retention); the generator writes only those of
/// the last 700 days, as a store that purges at every start holds.
const CALLS_KEPT_DAYS: i64 = 700;
/// Distinct search queries per pass.
const QUERIES: usize = 300;
/// Cases opened per pass.
const OPENINGS: usize = 200;
/// Rows between commits while generating.
const ROWS_PER_COMMIT: usize = 50_000;
/// Bumped whenever the generator changes, so a kept database (`BALIE_BENCH_DB`) of an
/// older generator is not reused.
const GENERATOR: u32 = 2;

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// Real domain words, most common first: the head of the vocabulary.
const DOMAIN_WORDS: &str = "
    aanvraag burger dossier betaling document gesprek telefoon afspraak attest formulier
    adres datum bijlage termijn opvolging beslissing goedgekeurd ontvangen mail brief loket
    premie vergunning college advies herinnering factuur bedrag overschrijving mededeling
    handtekening woning straat plan zaal vereniging week container parkeerplaats politie
    brandweer veiligheid signalisatie verkeersborden rijksregister weigering bezwaar korting
    tarief uitzondering scouts maaltijden rijbewijs identiteitskaart paspoort uittreksel
    strafregister omgevingsvergunning bouwaanvraag verbouwing huwelijk geboorteakte
    adreswijziging verhuis domicilie inschrijving kinderopvang subsidie afvalkalender
    huisvuil recyclagepark evenement buurtfeest parkeerkaart bewonerskaart sluikstort boete
    retributie belasting aanslagbiljet ocmw leefloon schepen gemeenteraad klacht
    ombudsdienst wegenwerken riolering rooilijn melding wachttijd terugbetaling
    nationaliteit verblijf erkenning begraafplaats concessie uitvaart hondenbelasting
    sportkamp bibliotheek lidkaart cultuurcentrum zitting bevestiging videogesprek
    identiteit itsme volmacht notaris erfenis kadaster energiepremie dakisolatie
    zonnepanelen terras markt standplaats
";
/// Dutch stop words, most common first.
const STOP_WORDS: &str = "
    de het een en van is op te in met voor dat niet zijn er aan om ook als bij nog maar
    wordt door naar heeft werd zal geen per via tot over na u we hij zij ze dit die wat kan
    moet al
";
/// Real Flemish first names: the head of the first names.
const FLEMISH_FIRST: &str = "
    Jan Marc Luc Dirk Peter Patrick Geert Bart Tom Koen Maria Marie Els An Ann Sofie Rita
    Christine Martine Nathalie Katrien Veerle Hilde Wim Jef Karel Pieter Kristof Stijn Jens
    Thomas Nicolas Kevin Noah Lucas Liam Arthur Louis Jules Emma Olivia Louise Lotte Nina
    Ines Hanne Lien Fatima Youssef Mohamed Sarah Julie Laura Anna Elke Lisa Femke Mila Ella
    Ayoub Adam
";
/// Real Flemish last names: the head of the last names.
const FLEMISH_LAST: &str = "
    Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, Goossens, Wouters, De Smet,
    Dubois, Lambert, Dupont, Hermans, Aerts, Vermeulen, Van Damme, El Amrani, Verstraete,
    Desmet, Michiels, Smets, Lemmens, Cools, Stevens, Martens, Pauwels, Segers,
    Van den Broeck, De Backer, Coppens, Vandenberghe, Claeys, Janssen, Dumont, Van de Velde,
    Declercq, Gielen, Vervoort, Devos, Verhoeven, Van Dyck, Geerts, Wuyts, Baert, Bogaert,
    Dewulf, Nys, Hendrickx, Bosmans, Thys, Van Acker, De Vos, Moens, Verbeke, Vanhove,
    Celis, Leemans, De Coster, Cornelis, Van Hoof, Verlinden, Engelen, Mahieu, Willaert,
    Bauwens, Verheyen, Van Hecke
";
/// Products cases are about, most common first.
const TITLES: &str = "
    Uittreksel strafregister, Parkeerkaart bewoners, Aanvraag rijbewijs,
    Omgevingsvergunning verbouwing, Huisvuilzakken, Adreswijziging, Premie dakisolatie,
    Inname openbaar domein container, Evenementenvergunning buurtfeest, Huur feestzaal,
    Identiteitskaart, Reispas, Subsidie jeugdvereniging, Abonnement sociaal restaurant,
    Verkeersborden opendeurdag, Attest gezinssamenstelling, Huwelijksaangifte, Geboorteakte,
    Energiepremie zonnepanelen, Terrasvergunning, Standplaats markt, Melding sluikstort,
    Klacht wegenwerken, Concessie begraafplaats, Hondenbelasting, Inschrijving sportkamp,
    Lidkaart bibliotheek, Leefloon, Bezwaar aanslagbiljet, Rooilijnattest
";
/// Companies are named after a trade and a last name.
const TRADES: &str = "
    Garage Bakkerij Frituur Bouw Schrijnwerkerij Kapsalon Elektro Transport Tuinaanleg Café
";
/// Associations are named after a kind of club and a word.
const CLUBS: &str = "Scouts Jeugdhuis Voetbalclub Buurtcomité Harmonie Chiro";
const CLERKS: &str = "
    an.peeters jef.maes sofie.claes bart.wouters lien.aerts karim.elamrani els.mertens
    tom.goossens ines.dubois koen.hermans marie.lambert wim.smets
";
const TOWNS: &str = "
    2000 Antwerpen, 9000 Gent, 3000 Leuven, 8000 Brugge, 2800 Mechelen, 3500 Hasselt,
    9300 Aalst, 8500 Kortrijk, 2300 Turnhout, 1800 Vilvoorde, 9100 Sint-Niklaas,
    3800 Sint-Truiden, 2500 Lier, 8400 Oostende, 1500 Halle
";
const MAIL_DOMAINS: &str = "
    telenet.be gmail.com hotmail.com skynet.be proximus.be outlook.com
";

/// A small seeded generator (SplitMix64), so every run builds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T: ?Sized>(&mut self, list: &'a [&'a T]) -> &'a T {
        list[self.below(list.len() as u64) as usize]
    }

    fn hex(&mut self, chars: usize) -> String {
        (0..chars)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16) as usize]))
            .collect()
    }

    /// Exponentially distributed with this mean.
    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

/// Zipf's law over ranks 0..n: rank k drawn with weight 1 / (k + 1)^s.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|k| {
                total += 1.0 / (k as f64).powf(s);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        // The table is never empty: every list it is made for has entries.
        let total = *self.cumulative.last().unwrap();
        let u = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.cumulative.len() - 1)
    }
}

/// A list drawn from by Zipf's law, its first entry the most common.
struct Ranked {
    items: Vec<String>,
    zipf: Zipf,
}

impl Ranked {
    fn new(items: Vec<String>) -> Self {
        let zipf = Zipf::new(items.len(), ZIPF_S);
        Ranked { items, zipf }
    }

    fn draw(&self, rng: &mut Rng) -> &str {
        &self.items[self.zipf.sample(rng)]
    }
}

const ONSETS: &[&str] = &[
    "", "", "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "j",
    "br", "dr", "gr", "kr", "pr", "tr", "vr", "bl", "fl", "gl", "kl", "pl", "sl", "sn", "sp", "st",
    "sch", "str", "schr", "kn", "zw",
];
const NUCLEI: &[&str] = &[
    "a", "e", "i", "o", "u", "a", "e", "o", "aa", "ee", "oo", "uu", "ie", "oe", "eu", "ui", "ij",
    "ei", "ou", "au",
];
const CODAS: &[&str] = &[
    "", "", "", "k", "l", "m", "n", "p", "r", "s", "t", "ch", "cht", "ng", "nk", "rd", "rk", "rt",
    "ld", "lt", "nd", "nt", "st", "ft", "rs",
];
const WORD_PREFIXES: &[&str] = &[
    "ver", "be", "ge", "ont", "her", "aan", "over", "uit", "door", "af", "op", "mee", "toe",
];
const WORD_SUFFIXES: &[&str] = &[
    "en", "ing", "heid", "er", "aar", "te", "sel", "schap", "baar", "lijk", "tie", "ering", "nis",
    "ster", "je",
];
const FIRST_ENDINGS: &[&str] = &[
    "a", "o", "ie", "en", "ine", "is", "as", "e", "y", "el", "an", "ke", "ia", "et",
];
const LAST_ENDINGS: &[&str] = &[
    "s", "ens", "aert", "eels", "ckx", "mans", "ers", "e", "ijn", "ert", "ijns", "oot", "ier",
];
const PLACE_ENDINGS: &[&str] = &[
    "hove", "berghe", "velde", "acker", "broeck", "dijck", "damme", "eeckhout", "hecke", "putte",
    "kerke", "loo",
];
const NAME_PARTICLES: &[&str] = &["Van", "Van de", "Van den", "Van der"];

fn syllables(rng: &mut Rng, count: u64) -> String {
    let mut word = String::new();
    for _ in 0..count {
        word.push_str(rng.pick(ONSETS));
        word.push_str(rng.pick(NUCLEI));
        word.push_str(rng.pick(CODAS));
    }
    word
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A word that sounds Dutch: syllables with a prefix or suffix now and then, or a compound
/// of two.
fn pseudo_word(rng: &mut Rng) -> String {
    let mut word = String::new();
    if rng.chance(0.25) {
        word.push_str(rng.pick(WORD_PREFIXES));
    }
    let count = 1 + rng.below(2) + u64::from(rng.chance(0.3));
    word.push_str(&syllables(rng, count));
    if rng.chance(0.45) {
        word.push_str(rng.pick(WORD_SUFFIXES));
    }
    if rng.chance(0.12) {
        let count = 1 + rng.below(2);
        word.push_str(&syllables(rng, count));
        word.push_str(rng.pick(WORD_SUFFIXES));
    }
    word
}

fn pseudo_first_name(rng: &mut Rng) -> String {
    let count = 1 + rng.below(2);
    let mut name = syllables(rng, count);
    name.push_str(rng.pick(FIRST_ENDINGS));
    capitalised(&name)
}

fn pseudo_last_name(rng: &mut Rng) -> String {
    let roll = rng.unit();
    if roll < 0.5 {
        let count = 1 + rng.below(2);
        let mut name = syllables(rng, count);
        name.push_str(rng.pick(LAST_ENDINGS));
        capitalised(&name)
    } else if roll < 0.8 {
        let mut place = syllables(rng, 1);
        place.push_str(rng.pick(PLACE_ENDINGS));
        format!("{} {}", rng.pick(NAME_PARTICLES), capitalised(&place))
    } else {
        format!("De {}", capitalised(&pseudo_word(rng)))
    }
}

/// `head` followed by made-up entries until there are `total`, each once, none longer
/// than `max_chars` or shorter than three characters.
fn ranked_list(
    head: &[&str],
    total: usize,
    max_chars: usize,
    rng: &mut Rng,
    taken: &mut HashSet<String>,
    make: fn(&mut Rng) -> String,
) -> Vec<String> {
    let mut list: Vec<String> = Vec::with_capacity(total);
    for item in head {
        if taken.insert(item.to_lowercase()) {
            list.push((*item).to_owned());
        }
    }
    while list.len() < total {
        let item = make(rng);
        let length = item.chars().count();
        if (3..=max_chars).contains(&length) && taken.insert(item.to_lowercase()) {
            list.push(item);
        }
    }
    list
}

/// The entries of a list separated by white space.
fn spaced(list: &'static str) -> Vec<&'static str> {
    list.split_whitespace().collect()
}

/// The entries of a list separated by commas.
fn entries(list: &'static str) -> Vec<&'static str> {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect()
}

/// The words and names the data and the queries are drawn from.
struct Lexicon {
    words: Ranked,
    stop: Ranked,
    first: Ranked,
    last: Ranked,
    titles: Ranked,
    /// Words that occur nowhere in the data.
    absent: Vec<String>,
    domain_words: usize,
    clerks: Vec<&'static str>,
    trades: Vec<&'static str>,
    clubs: Vec<&'static str>,
    towns: Vec<&'static str>,
    mail_domains: Vec<&'static str>,
}

impl Lexicon {
    fn new() -> Self {
        let mut rng = Rng(0x1e81_c0de);
        let stop = spaced(STOP_WORDS);
        let mut taken: HashSet<String> = stop.iter().map(|w| (*w).to_owned()).collect();
        let words = ranked_list(
            &spaced(DOMAIN_WORDS),
            VOCABULARY,
            24,
            &mut rng,
            &mut taken,
            pseudo_word,
        );
        let first = ranked_list(
            &spaced(FLEMISH_FIRST),
            FIRST_NAMES,
            12,
            &mut rng,
            &mut taken,
            pseudo_first_name,
        );
        let last = ranked_list(
            &entries(FLEMISH_LAST),
            LAST_NAMES,
            24,
            &mut rng,
            &mut taken,
            pseudo_last_name,
        );
        // Made like the vocabulary but found nowhere in the data, not even as the start of
        // a word (the search matches the starts of words): what a clerk might type that is
        // in no case.
        let mut tokens: HashSet<String> = HashSet::new();
        let lists = [&words, &first, &last];
        let fixed = [TITLES, TRADES, CLUBS, MAIL_DOMAINS, "bv nv commv vzw info"];
        for entry in lists
            .iter()
            .flat_map(|l| l.iter().map(String::as_str))
            .chain(fixed)
        {
            let entry = entry.to_lowercase();
            tokens.insert(entry.replace(' ', ""));
            tokens.extend(
                entry
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            );
        }
        let mut absent = Vec::new();
        while absent.len() < 200 {
            let word = pseudo_word(&mut rng);
            if word.chars().count() >= 6 && !tokens.iter().any(|t| t.starts_with(&word)) {
                absent.push(word);
            }
        }
        Lexicon {
            words: Ranked::new(words),
            stop: Ranked::new(stop.iter().map(|w| (*w).to_owned()).collect()),
            first: Ranked::new(first),
            last: Ranked::new(last),
            titles: Ranked::new(entries(TITLES).iter().map(|w| (*w).to_owned()).collect()),
            clerks: spaced(CLERKS),
            trades: spaced(TRADES),
            clubs: spaced(CLUBS),
            towns: entries(TOWNS),
            mail_domains: spaced(MAIL_DOMAINS),
            absent,
            domain_words: spaced(DOMAIN_WORDS).len(),
        }
    }

    fn note(&self, rng: &mut Rng) -> String {
        let length = 6 + rng.exponential(16.0).min(80.0) as usize;
        let mut body = String::with_capacity(length * 8);
        for n in 0..length {
            if n > 0 {
                body.push(' ');
            }
            let roll = rng.unit();
            if roll < STOP_SHARE {
                body.push_str(self.stop.draw(rng));
            } else if roll < STOP_SHARE + 0.02 {
                body.push_str(self.last.draw(rng));
            } else if roll < STOP_SHARE + 0.04 {
                body.push_str(&(1 + rng.below(500)).to_string());
            } else {
                body.push_str(self.words.draw(rng));
            }
        }
        body.push('.');
        body
    }

    fn title(&self, rng: &mut Rng) -> String {
        let mut title = self.titles.draw(rng).to_owned();
        if rng.chance(0.5) {
            for _ in 0..1 + rng.below(2) {
                title.push(' ');
                title.push_str(self.words.draw(rng));
            }
        }
        if rng.chance(0.3) {
            title.push(' ');
            title.push_str(self.last.draw(rng));
        }
        title
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Activity {
    Opened,
    Note,
    Call,
    Document,
    Payment,
    Identity,
}

/// Something that happened to a case, at a time: the rows are written in this order.
struct Event {
    at: i64,
    case: u32,
    what: Activity,
}

/// What was generated, to print.
#[derive(Default)]
struct Counts {
    cases: u64,
    parties: u64,
    companies: u64,
    associations: u64,
    notes: u64,
    calls: u64,
    documents: u64,
    payments: u64,
    identity_checks: u64,
    audit_lines: u64,
    /// Of the 1,000 cases changed last, how many are among the 1,000 created last.
    recent_overlap: usize,
}

/// A time after `created` at which a case is worked on: mostly in its first weeks, some in
/// its first year, some at any time since.
fn later(rng: &mut Rng, created: i64, now: i64) -> i64 {
    let roll = rng.unit();
    let offset = if roll < 0.7 {
        rng.exponential(5.0 * DAY_MS as f64) as i64
    } else if roll < 0.95 {
        rng.below(365 * DAY_MS as u64) as i64
    } else {
        rng.below((now - created) as u64) as i64
    };
    let at = created + MINUTE_MS + offset;
    if at < now {
        at
    } else {
        created + MINUTE_MS + rng.below((now - created - MINUTE_MS) as u64) as i64
    }
}

/// Writes `cases` cases with everything around them to a new database at `path`, as of
/// `now` (ms).
fn generate(path: &Path, cases: u64, lexicon: &Lexicon, now: i64) -> Counts {
    let mut rng = Rng(0x5eed_ba11e ^ cases);
    let parties = ((cases as f64 * PARTIES_PER_CASE) as u64).max(1);
    let span = YEARS * 365 * DAY_MS;
    let first_created = now - span - DAY_MS;
    let step = span / cases as i64;
    let calls_from = now - CALLS_KEPT_DAYS * DAY_MS;

    // The plan: who, when, and every activity of every case, put in time order.
    let mut counts = Counts {
        cases,
        parties,
        ..Counts::default()
    };
    let mut party_of = Vec::with_capacity(cases as usize);
    let mut updated = Vec::with_capacity(cases as usize);
    let mut events: Vec<Event> =
        Vec::with_capacity((cases as f64 * (NOTES_PER_CASE + 2.5)) as usize);
    for index in 0..cases {
        let case = index as u32;
        let created = first_created + index as i64 * step + rng.below(step as u64) as i64;
        party_of.push(1 + rng.below(parties));
        let first_event = events.len();
        let mut push = |at: i64, what: Activity| events.push(Event { at, case, what });
        push(created, Activity::Opened);
        let notes = 1 + (rng.exponential(NOTES_PER_CASE - 0.5) as u64).min(60);
        for _ in 0..notes {
            push(later(&mut rng, created, now), Activity::Note);
        }
        if rng.chance(LATE_TOUCH) {
            let at = created + MINUTE_MS + rng.below((now - created - MINUTE_MS) as u64) as i64;
            push(at, Activity::Note);
        }
        // An older call was purged at a start since; it still made the case change.
        let mut purged_call = created;
        for _ in 0..u64::from(rng.chance(0.35)) + u64::from(rng.chance(0.1)) {
            let at = later(&mut rng, created, now);
            if at >= calls_from {
                push(at, Activity::Call);
                if rng.chance(0.3) {
                    push(at + 4 * MINUTE_MS, Activity::Identity);
                }
            } else {
                purged_call = purged_call.max(at);
            }
        }
        if rng.chance(0.4) {
            for _ in 0..1 + rng.below(3) {
                push(later(&mut rng, created, now), Activity::Document);
            }
        }
        if rng.chance(0.15) {
            push(later(&mut rng, created, now), Activity::Payment);
        }
        let last = events[first_event..]
            .iter()
            .map(|e| e.at)
            .fold(purged_call, i64::max);
        updated.push(last);
    }
    events.sort_unstable_by_key(|e| (e.at, e.what, e.case));
    counts.recent_overlap = {
        let mut by_update: Vec<u32> = (0..cases as u32).collect();
        by_update.sort_unstable_by_key(|&c| std::cmp::Reverse((updated[c as usize], c)));
        let newest = cases.saturating_sub(1000) as u32;
        by_update
            .iter()
            .take(1000)
            .filter(|&&c| c >= newest)
            .count()
    };

    let mut conn = balie_store::open(path, &balie_store::cockpit::SCHEMA).unwrap();
    // For generating only: no journal, no syncs, a large cache. The measured connections
    // open the file with the store's own settings (WAL, synchronous NORMAL, SQLite's cache).
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2097152;
         PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = OFF; PRAGMA locking_mode = EXCLUSIVE;",
    )
    .unwrap();
    insert_parties(
        &conn,
        parties,
        lexicon,
        &mut rng,
        now - span - 2 * DAY_MS,
        &mut counts,
    );
    insert_events(
        &mut conn,
        &events,
        &party_of,
        &updated,
        lexicon,
        &mut rng,
        now,
        &mut counts,
    );
    conn.execute_batch("PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;")
        .unwrap();
    drop(conn);
    counts
}

fn insert_parties(
    conn: &Connection,
    parties: u64,
    lexicon: &Lexicon,
    rng: &mut Rng,
    at: i64,
    counts: &mut Counts,
) {
    conn.execute_batch("BEGIN").unwrap();
    let mut insert = conn
        .prepare(
            "INSERT INTO party (id, kind, name, enterprise_number, email, phone, address, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .unwrap();
    for id in 1..=parties {
        let roll = rng.unit();
        let last = lexicon.last.draw(rng).to_owned();
        // Distinct bases for distinct ids: 7,919 is prime to the 17,000,000 they wrap at.
        let enterprise = || {
            balie_domain::EnterpriseNumber::from_base(2_000_000 + id * 7_919 % 17_000_000)
                .unwrap()
                .digits()
        };
        let (kind, name, number, email) = if roll < 0.15 {
            counts.companies += 1;
            let form = rng.pick(&["bv", "nv", "bv", "commv"]);
            let trade = rng.pick(&lexicon.trades);
            let name = format!("{trade} {last} {form}");
            let email = format!("info@{}.be", last.to_lowercase().replace(' ', ""));
            ("company", name, Some(enterprise()), Some(email))
        } else if roll < 0.2 {
            counts.associations += 1;
            let kind = rng.pick(&lexicon.clubs);
            let name = format!("{kind} {} vzw", capitalised(lexicon.words.draw(rng)));
            ("association", name, Some(enterprise()), None)
        } else {
            let first = lexicon.first.draw(rng);
            let email = rng.chance(0.7).then(|| {
                format!(
                    "{}.{}{}@{}",
                    first.to_lowercase(),
                    last.to_lowercase().replace(' ', ""),
                    if rng.chance(0.3) {
                        (rng.below(99) + 1).to_string()
                    } else {
                        String::new()
                    },
                    rng.pick(&lexicon.mail_domains)
                )
            });
            ("citizen", format!("{first} {last}"), None, email)
        };
        let phone = rng
            .chance(0.6)
            .then(|| format!("04{:08}", rng.below(100_000_000)));
        let address = format!(
            "{}straat {}, {}",
            capitalised(lexicon.words.draw(rng)),
            1 + rng.below(180),
            rng.pick(&lexicon.towns)
        );
        insert
            .execute(params![id, kind, name, number, email, phone, address, at])
            .unwrap();
    }
    drop(insert);
    conn.execute_batch("COMMIT").unwrap();
}

#[allow(clippy::too_many_arguments)]
fn insert_events(
    conn: &mut Connection,
    events: &[Event],
    party_of: &[u64],
    updated: &[i64],
    lexicon: &Lexicon,
    rng: &mut Rng,
    now: i64,
    counts: &mut Counts,
) {
    let mut case_insert = conn
        .prepare(
            "INSERT INTO case_file (id, number, party_id, title, status, assigned_clerk, created_at_ms, updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .unwrap();
    let mut note = conn
        .prepare("INSERT INTO case_note (case_id, at_ms, author, body) VALUES (?1, ?2, ?3, ?4)")
        .unwrap();
    let mut audit = conn
        .prepare("INSERT INTO case_audit (case_id, at_ms, actor, action) VALUES (?1, ?2, ?3, ?4)")
        .unwrap();
    let mut call = conn
        .prepare("INSERT INTO case_call (case_id, room_id, started_at_ms, ended_at_ms) VALUES (?1, ?2, ?3, ?4)")
        .unwrap();
    let mut identity = conn
        .prepare(
            "INSERT INTO case_identity (case_id, room_id, at_ms, checked_by, provider, means, level, party_match)
             VALUES (?1, ?2, ?3, ?4, 'acm', ?5, ?6, ?7)",
        )
        .unwrap();
    let mut document = conn
        .prepare(
            "INSERT INTO case_document (case_id, sha256, name, media_type, size_bytes, added_at_ms, added_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .unwrap();
    let mut payment = conn
        .prepare(
            "INSERT INTO payment (id, idempotency_key, provider, provider_id, amount_cents, description, reference,
                                  room_id, case_id, status, created_at_ms, payer_locale, mode)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, ?10, ?11, 'live')",
        )
        .unwrap();
    let mut payment_step = conn
        .prepare(
            "INSERT INTO payment_status (payment_id, seq, from_status, to_status, at_ms, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .unwrap();
    let mut payment_audit = conn
        .prepare("INSERT INTO audit_log (at_ms, actor, action, payment_id, detail) VALUES (?1, 'clerk', 'payment.created', ?2, ?3)")
        .unwrap();
    let mut year_and_sequence = (0i16, 0u32);
    let mut last_room: Vec<(u32, String)> = Vec::new();
    conn.execute_batch("BEGIN").unwrap();
    for (n, event) in events.iter().enumerate() {
        if n % ROWS_PER_COMMIT == ROWS_PER_COMMIT - 1 {
            conn.execute_batch("COMMIT; BEGIN").unwrap();
        }
        let id = i64::from(event.case) + 1;
        let clerk = rng.pick(&lexicon.clerks);
        let at = event.at;
        let action = match event.what {
            Activity::Opened => {
                let year = jiff::Timestamp::from_millisecond(at)
                    .unwrap()
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .year();
                year_and_sequence = if year == year_and_sequence.0 {
                    (year, year_and_sequence.1 + 1)
                } else {
                    (year, 1)
                };
                let changed = updated[event.case as usize];
                let status = if now - changed > 60 * DAY_MS {
                    rng.pick(&[
                        "closed", "closed", "closed", "approved", "approved", "refused",
                    ])
                } else {
                    rng.pick(&["new", "in_progress", "in_progress", "waiting"])
                };
                case_insert
                    .execute(params![
                        id,
                        format!("{year}-{:06}", year_and_sequence.1),
                        party_of[event.case as usize],
                        lexicon.title(rng),
                        status,
                        clerk,
                        at,
                        changed
                    ])
                    .unwrap();
                "case.created"
            }
            Activity::Note => {
                note.execute(params![id, at, clerk, lexicon.note(rng)])
                    .unwrap();
                counts.notes += 1;
                "note.added"
            }
            Activity::Call => {
                let room = rng.hex(22);
                let ended = at + (5 + rng.below(25) as i64) * MINUTE_MS;
                call.execute(params![id, room, at, ended]).unwrap();
                counts.calls += 1;
                // The identity check (if any) follows within minutes, in this call.
                last_room.retain(|(case, _)| *case != event.case);
                last_room.push((event.case, room));
                if last_room.len() > 64 {
                    last_room.remove(0);
                }
                "call.linked"
            }
            Activity::Identity => {
                let room = last_room
                    .iter()
                    .rev()
                    .find(|(case, _)| *case == event.case)
                    .map_or_else(|| rng.hex(22), |(_, room)| room.clone());
                let means = rng.pick(&["itsme", "itsme", "eid", "eid", "myid"]);
                let level = if means == "myid" {
                    "substantial"
                } else {
                    "high"
                };
                let matched = rng.pick(&["match", "match", "match", "party_has_none", "not_given"]);
                identity
                    .execute(params![id, room, at, clerk, means, level, matched])
                    .unwrap();
                counts.identity_checks += 1;
                "identity.checked"
            }
            Activity::Document => {
                let (extension, media_type) = rng.pick(&[
                    &("pdf", "application/pdf"),
                    &("pdf", "application/pdf"),
                    &("jpg", "image/jpeg"),
                    &("png", "image/png"),
                    &(
                        "docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    ),
                ]);
                let name = format!(
                    "{}_{}.{extension}",
                    lexicon.words.draw(rng),
                    1 + rng.below(9)
                );
                let size = 20_000 + rng.below(4_000_000) as i64;
                document
                    .execute(params![id, rng.hex(64), name, media_type, size, at, clerk])
                    .unwrap();
                counts.documents += 1;
                "document.added"
            }
            Activity::Payment => {
                let payment_id = rng.hex(24);
                let provider = rng.pick(&["mollie", "bancontact", "stripe", "transfer", "mollie"]);
                let provider_id = match provider {
                    "mollie" => Some(format!("tr_{}", rng.hex(10))),
                    "stripe" => Some(format!("cs_live_{}", rng.hex(24))),
                    "bancontact" => Some(rng.hex(32)),
                    _ => None,
                };
                let reference = (provider == "transfer").then(|| {
                    balie_domain::StructuredReference::from_base(rng.below(10_000_000_000))
                        .unwrap()
                        .digits()
                });
                let cents =
                    *rng.pick(&[&500i64, &1000, &1500, &2500, &3000, &5000, &7500, &12_000]);
                let status = if rng.chance(0.8) {
                    "paid"
                } else {
                    rng.pick(&["expired", "canceled", "failed"])
                };
                payment
                    .execute(params![
                        payment_id,
                        rng.hex(32),
                        provider,
                        provider_id,
                        cents,
                        lexicon.titles.draw(rng),
                        reference,
                        id.to_string(),
                        status,
                        at,
                        rng.pick(&["nl", "nl", "nl", "fr", "en"])
                    ])
                    .unwrap();
                let done_by = if provider == "transfer" {
                    "clerk"
                } else {
                    "provider"
                };
                for (seq, from, to, after, source) in [
                    (0, None, "created", 0i64, "balie"),
                    (1, Some("created"), "open", 1_000, "provider"),
                    (2, Some("open"), status, 90_000, done_by),
                ] {
                    payment_step
                        .execute(params![payment_id, seq, from, to, at + after, source])
                        .unwrap();
                }
                let detail = format!("{{\"provider\":\"{provider}\",\"amount_cents\":{cents}}}");
                payment_audit
                    .execute(params![at, payment_id, detail])
                    .unwrap();
                counts.payments += 1;
                "payment.linked"
            }
        };
        audit.execute(params![id, at, clerk, action]).unwrap();
        counts.audit_lines += 1;
    }
    conn.execute_batch("COMMIT").unwrap();
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    LastName,
    FullName,
    Word,
    Prefix,
    TwoWords,
    NameAndProduct,
    CaseNumber,
    EnterpriseNumber,
    Nowhere,
    Product,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::LastName => "last name",
            Kind::FullName => "first and last name",
            Kind::Word => "word",
            Kind::Prefix => "start of a word or name",
            Kind::TwoWords => "two words",
            Kind::NameAndProduct => "name and product word",
            Kind::CaseNumber => "case number",
            Kind::EnterpriseNumber => "enterprise number",
            Kind::Nowhere => "word found nowhere",
            Kind::Product => "product word",
        }
    }
}

/// What clerks type, in percent (our assumption of a day at the counter, not a measurement).
const QUERY_MIX: &[(Kind, u64)] = &[
    (Kind::LastName, 20),
    (Kind::FullName, 10),
    (Kind::Word, 15),
    (Kind::Prefix, 15),
    (Kind::TwoWords, 10),
    (Kind::NameAndProduct, 5),
    (Kind::CaseNumber, 10),
    (Kind::EnterpriseNumber, 5),
    (Kind::Nowhere, 5),
    (Kind::Product, 5),
];

struct Query {
    kind: Kind,
    text: String,
}

/// A word of a product title, lowercased.
fn product_word(lexicon: &Lexicon, rng: &mut Rng) -> String {
    let words: Vec<&str> = lexicon.titles.draw(rng).split_whitespace().collect();
    rng.pick(&words).to_lowercase()
}

/// [`QUERIES`] distinct queries in a random order, the kinds in [`QUERY_MIX`]'s shares.
fn sample_queries(conn: &Connection, lexicon: &Lexicon, cases: u64) -> Vec<Query> {
    let mut rng = Rng(0x0c1e_12c5 ^ cases);
    let parties: u64 = conn
        .query_row("SELECT max(id) FROM party", [], |r| r.get(0))
        .unwrap();
    let notes: u64 = conn
        .query_row("SELECT max(id) FROM case_note", [], |r| r.get(0))
        .unwrap();
    let vocabulary: HashSet<&str> = lexicon.words.items.iter().map(String::as_str).collect();
    let mut seen = HashSet::new();
    let mut queries = Vec::new();
    for &(kind, percent) in QUERY_MIX {
        let wanted = (QUERIES as u64 * percent / 100) as usize;
        let mut made = 0;
        let mut tries = 0;
        while made < wanted && tries < wanted * 100 {
            tries += 1;
            let text = match kind {
                Kind::LastName => lexicon.last.draw(&mut rng).to_lowercase(),
                // Combinations are taken from the data: a clerk looks for a case that is
                // there (their parts are drawn by the same law as every name and word).
                Kind::FullName => {
                    let name: Option<String> = conn
                        .query_row(
                            "SELECT name FROM party WHERE id >= ?1 AND kind = 'citizen' ORDER BY id LIMIT 1",
                            params![1 + rng.below(parties)],
                            |r| r.get(0),
                        )
                        .ok();
                    match name {
                        Some(name) => name.to_lowercase(),
                        None => continue,
                    }
                }
                Kind::Word => lexicon.words.draw(&mut rng).to_owned(),
                Kind::Prefix => {
                    let whole = if rng.chance(0.6) {
                        lexicon.words.draw(&mut rng).to_owned()
                    } else {
                        lexicon.last.draw(&mut rng).to_lowercase()
                    };
                    let keep = 2 + rng.below(4) as usize;
                    let start: String = whole.chars().take(keep).collect();
                    if start.chars().count() == whole.chars().count() || start.contains(' ') {
                        continue;
                    }
                    start
                }
                Kind::TwoWords => {
                    let body: String = conn
                        .query_row(
                            "SELECT body FROM case_note WHERE id = ?1",
                            params![1 + rng.below(notes)],
                            |r| r.get(0),
                        )
                        .unwrap();
                    let found: Vec<&str> = body
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| vocabulary.contains(w))
                        .collect();
                    if found.len() < 2 {
                        continue;
                    }
                    let one = rng.below(found.len() as u64) as usize;
                    let other = rng.below(found.len() as u64) as usize;
                    if found[one] == found[other] {
                        continue;
                    }
                    format!("{} {}", found[one], found[other])
                }
                Kind::NameAndProduct => {
                    let (name, title): (String, String) = conn
                        .query_row(
                            "SELECT p.name, c.title FROM case_file c JOIN party p ON p.id = c.party_id
                             WHERE c.id >= ?1 AND p.kind = 'citizen' ORDER BY c.id LIMIT 1",
                            params![1 + rng.below(cases)],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .unwrap_or_default();
                    // The first name is one word; the product's first word opens the title.
                    match (name.split_once(' '), title.split_whitespace().next()) {
                        (Some((_, last)), Some(product)) => {
                            format!("{} {}", last, product).to_lowercase()
                        }
                        _ => continue,
                    }
                }
                Kind::CaseNumber => conn
                    .query_row(
                        "SELECT number FROM case_file WHERE id = ?1",
                        params![1 + rng.below(cases)],
                        |r| r.get(0),
                    )
                    .unwrap(),
                Kind::EnterpriseNumber => {
                    let found: Option<String> = conn
                        .query_row(
                            "SELECT enterprise_number FROM party WHERE id >= ?1 AND enterprise_number IS NOT NULL ORDER BY id LIMIT 1",
                            params![1 + rng.below(parties)],
                            |r| r.get(0),
                        )
                        .ok();
                    match found {
                        Some(number) => number,
                        None => continue,
                    }
                }
                Kind::Nowhere => rng
                    .pick(
                        &lexicon
                            .absent
                            .iter()
                            .map(String::as_str)
                            .collect::<Vec<_>>(),
                    )
                    .to_owned(),
                Kind::Product => product_word(lexicon, &mut rng),
            };
            if seen.insert(text.clone()) {
                queries.push(Query { kind, text });
                made += 1;
            }
        }
    }
    // Kinds interleaved, as they come at a counter.
    for i in (1..queries.len()).rev() {
        queries.swap(i, rng.below(i as u64 + 1) as usize);
    }
    queries
}

/// Whether the page cache can be dropped here; why not otherwise.
fn cold_possible() -> Result<(), String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("?");
    if uid != "0" {
        return Err("not root".into());
    }
    drop_caches().map_err(|e| format!("cannot drop the page cache: {e}"))
}

/// Writes everything out, then drops the page cache, dentries and inodes.
fn drop_caches() -> std::io::Result<()> {
    std::process::Command::new("sync").status()?;
    std::fs::write("/proc/sys/vm/drop_caches", "3")
}

/// The store opened as the cockpit opens it, with its schema read (a running cockpit has
/// it in memory): what a query finds after its pages were evicted.
fn fresh(path: &Path) -> Connection {
    let conn = balie_store::open(path, &balie_store::cockpit::SCHEMA).unwrap();
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap();
    conn
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Milliseconds rounded up to two decimals: a printed figure is never better than measured.
fn up(ms: f64) -> String {
    format!("{:.2}", (ms * 100.0).ceil() / 100.0)
}

/// Nearest-rank p50, p95 and the maximum.
fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((p / 100.0 * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(50.0), at(95.0), ms[ms.len() - 1])
}

fn verdict(value: f64, goal: f64) -> &'static str {
    if value <= goal { "met" } else { "MISSED" }
}

fn main() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let sizes: Vec<u64> = match std::env::var("BALIE_BENCH_CASES") {
        Ok(v) => vec![v.parse().expect("BALIE_BENCH_CASES is a number of cases")],
        Err(_) => SIZES.to_vec(),
    };
    let cold = cold_possible();
    match &cold {
        Ok(()) => println!(
            "cold: page cache, dentries and inodes dropped (sync; echo 3 > /proc/sys/vm/drop_caches) and the store opened afresh before each cold measurement"
        ),
        Err(why) => println!("cold not measured: {why}"),
    }
    println!(
        "machine: {}; SQLite {}; sizes: {}",
        machine(),
        rusqlite::version(),
        sizes
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "statistic: nearest-rank p50 and p95 and the maximum of one run of each query or case per pass; milliseconds rounded up"
    );
    let lexicon = Lexicon::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let display = one_monitor(1600, 900);
    for cases in sizes {
        println!();
        println!("== {cases} cases ==");
        let dir = tempfile::tempdir().unwrap();
        let path = prepare_database(dir.path(), cases, &lexicon);
        let queries = {
            let conn = fresh(&path);
            sample_queries(&conn, &lexicon, cases)
        };
        time_search(&path, &queries, cold.is_ok());
        time_opening(&path, cases, cold.is_ok());
        time_recent(&path, cold.is_ok());
        time_core_start(&runtime, dir.path(), cold.is_ok());
        time_application_start(&runtime, &display, dir.path(), cold.is_ok());
    }
}

/// The processor, its cores and the memory, from /proc.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map_or("unknown processor", |l| {
            l.trim_start_matches([' ', '\t', ':'])
        });
    let memory_kib: u64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    format!(
        "{} cores of {model}, {:.1} GiB",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_kib as f64 / 1_048_576.0
    )
}

/// The generated database in `dir` (`BALIE_BENCH_DB`: a directory where each size is made
/// once and copied from, for trying queries by hand); prints what it holds.
fn prepare_database(dir: &Path, cases: u64, lexicon: &Lexicon) -> PathBuf {
    let path = dir.join("cockpit.sqlite3");
    let started = Instant::now();
    let now = jiff::Timestamp::now().as_millisecond() / DAY_MS * DAY_MS;
    let counts = match std::env::var_os("BALIE_BENCH_DB").map(PathBuf::from) {
        Some(kept) => {
            let kept = kept.join(format!("cases-{cases}-g{GENERATOR}.sqlite3"));
            let counts = if kept.exists() {
                None
            } else {
                Some(generate(&kept, cases, lexicon, now))
            };
            std::fs::copy(&kept, &path).unwrap();
            counts
        }
        None => Some(generate(&path, cases, lexicon, now)),
    };
    let generated_in = started.elapsed().as_secs_f64();
    let size: u64 = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|tail| std::fs::metadata(dir.join(format!("cockpit.sqlite3{tail}"))).ok())
        .map(|m| m.len())
        .sum();
    match counts {
        Some(c) => {
            println!(
                "generated in {generated_in:.1} s (not a result): {} cases, {} parties ({} companies, {} associations), {} notes (mean {:.1} a case), {} calls (the last {CALLS_KEPT_DAYS} days only: older ones are past the retention), {} documents, {} payments (all final), {} identity checks, {} audit lines",
                c.cases,
                c.parties,
                c.companies,
                c.associations,
                c.notes,
                c.notes as f64 / c.cases as f64,
                c.calls,
                c.documents,
                c.payments,
                c.identity_checks,
                c.audit_lines
            );
            println!(
                "  time: created over {YEARS} years in id order, changed last at the last activity, {}% touched again at a random later time; of the 1000 cases changed last, {} are among the 1000 created last",
                LATE_TOUCH * 100.0,
                c.recent_overlap
            );
            println!(
                "  rows written in time order across cases (a case's notes lie apart); parties written first"
            );
        }
        None => println!("copied from BALIE_BENCH_DB in {generated_in:.1} s"),
    }
    println!(
        "  words: {VOCABULARY} words ({} real domain words at the head, pseudo-Dutch ones after), Zipf s = {ZIPF_S}; {} stop words make {}% of a note's words; names: {FIRST_NAMES} first and {LAST_NAMES} last names, Zipf s = {ZIPF_S}, real Flemish ones at the head",
        lexicon.domain_words,
        lexicon.stop.items.len(),
        STOP_SHARE * 100.0
    );
    println!(
        "  database: {:.0} MiB on {}; full-text index never optimized, no ANALYZE (as the application leaves it)",
        size as f64 / 1_048_576.0,
        filesystem_of(dir)
    );
    path
}

/// The file system `path` is on (`ext4 on /dev/vda`), from /proc/mounts: a tmpfs would
/// make every cold figure warm.
fn filesystem_of(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let device = fields.next()?;
            let point = fields.next()?;
            let kind = fields.next()?;
            path.starts_with(point)
                .then(|| (point.len(), format!("{kind} on {device}")))
        })
        .max_by_key(|(length, _)| *length)
        .map_or_else(|| "an unknown file system".into(), |(_, fs)| fs)
}

/// Each query once per pass, cold then warm: p50, p95 and max; per kind; the slowest.
fn time_search(path: &Path, queries: &[Query], cold: bool) {
    // What the queries find, before timing (the cold pass drops what this reads).
    let (mut capped, mut empty) = (0, 0);
    {
        let conn = fresh(path);
        for query in queries {
            if let Some(words) = case::fts_query(&query.text, true) {
                let matching: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM case_fts WHERE case_fts MATCH ?1",
                        params![words],
                        |r| r.get(0),
                    )
                    .unwrap();
                capped += usize::from(matching > i64::from(case::CANDIDATE_CASES));
            }
            empty += usize::from(
                case::search(&conn, &query.text, LIST_LENGTH)
                    .unwrap()
                    .is_empty(),
            );
        }
    }
    println!(
        "search: {} distinct queries ({}), each once per pass, {LIST_LENGTH} results asked (the dossier list's length)",
        queries.len(),
        QUERY_MIX
            .iter()
            .map(|(kind, percent)| format!("{}% {}", percent, kind.name()))
            .collect::<Vec<_>>()
            .join(", "),
    );
    println!(
        "  for example {}; {empty} find nothing; {capped} match over {} cases by number, title or party, of which the search ranks only the {} created last",
        queries
            .iter()
            .take(12)
            .map(|q| format!("{:?}", q.text))
            .collect::<Vec<_>>()
            .join(", "),
        case::CANDIDATE_CASES,
        case::CANDIDATE_CASES
    );
    if cold {
        let times = search_pass(path, queries, true);
        report_search(
            "cold (cache dropped and the store opened afresh before each query)",
            queries,
            times,
        );
    } else {
        // The cache as generation left it; one unmeasured pass makes it the same as after
        // a cold pass.
        search_pass(path, queries, false);
    }
    let times = search_pass(path, queries, false);
    report_search(
        "warm (the same queries again, one connection)",
        queries,
        times,
    );
}

fn search_pass(path: &Path, queries: &[Query], cold: bool) -> Vec<f64> {
    let warm = (!cold).then(|| fresh(path));
    queries
        .iter()
        .map(|query| {
            let own;
            let conn = match &warm {
                Some(conn) => conn,
                None => {
                    drop_caches().unwrap();
                    own = fresh(path);
                    &own
                }
            };
            let t = Instant::now();
            let found = case::search(conn, &query.text, LIST_LENGTH).unwrap();
            let took = ms(t);
            std::hint::black_box(found);
            took
        })
        .collect()
}

fn report_search(pass: &str, queries: &[Query], times: Vec<f64>) {
    let (p50, p95, max) = percentiles(times.clone());
    println!(
        "  search, {pass}: p50 {} ms, p95 {} ms, max {} ms over {} queries; goal p95 <= 20 ms: {}",
        up(p50),
        up(p95),
        up(max),
        times.len(),
        verdict(p95, 20.0)
    );
    let mut by_kind = Vec::new();
    for &(kind, _) in QUERY_MIX {
        let these: Vec<f64> = queries
            .iter()
            .zip(&times)
            .filter(|(q, _)| q.kind == kind)
            .map(|(_, t)| *t)
            .collect();
        if !these.is_empty() {
            let n = these.len();
            let (p50, p95, max) = percentiles(these);
            by_kind.push(format!(
                "{} ({n}) {}/{}/{}",
                kind.name(),
                up(p50),
                up(p95),
                up(max)
            ));
        }
    }
    println!("    by kind, p50/p95/max ms: {}", by_kind.join("; "));
    let mut slowest: Vec<(f64, &str)> = times
        .iter()
        .zip(queries)
        .map(|(t, q)| (*t, q.text.as_str()))
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "    slowest: {}",
        slowest
            .iter()
            .take(5)
            .map(|(t, q)| format!("{q:?} {} ms", up(*t)))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// [`OPENINGS`] cases drawn at random over all ids, opened cold, then the same warm.
fn time_opening(path: &Path, cases: u64, cold: bool) {
    let mut rng = Rng(0x09e2 ^ cases);
    let ids: Vec<i64> = (0..OPENINGS).map(|_| 1 + rng.below(cases) as i64).collect();
    let pass = |cold: bool| -> Vec<f64> {
        let mut warm = (!cold).then(|| fresh(path));
        ids.iter()
            .map(|&id| {
                let mut own;
                let conn = match &mut warm {
                    Some(conn) => conn,
                    None => {
                        drop_caches().unwrap();
                        own = fresh(path);
                        &mut own
                    }
                };
                let t = Instant::now();
                let detail = case::open(conn, id, "bench", 0).unwrap().unwrap();
                let took = ms(t);
                std::hint::black_box(detail);
                took
            })
            .collect()
    };
    let report = |name: &str, times: Vec<f64>| {
        let n = times.len();
        let (p50, p95, max) = percentiles(times);
        println!(
            "  open a case (party, notes, calls, documents, payments, identity checks; audit line written), {name}: p50 {} ms, p95 {} ms, max {} ms over {n} random cases; goal p95 <= 50 ms: {}",
            up(p50),
            up(p95),
            up(max),
            verdict(p95, 50.0)
        );
    };
    if cold {
        report("cold", pass(true));
    } else {
        pass(false);
    }
    report("warm (the same cases again)", pass(false));
}

/// The recent list (what the dossier window shows first), ten times cold, ten warm.
fn time_recent(path: &Path, cold: bool) {
    let mut passes = Vec::new();
    if cold {
        let times = (0..10)
            .map(|_| {
                drop_caches().unwrap();
                let conn = fresh(path);
                let t = Instant::now();
                std::hint::black_box(case::recent(&conn, LIST_LENGTH).unwrap());
                ms(t)
            })
            .collect::<Vec<_>>();
        passes.push(("cold", times));
    }
    let conn = fresh(path);
    let times = (0..10)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(case::recent(&conn, LIST_LENGTH).unwrap());
            ms(t)
        })
        .collect::<Vec<_>>();
    passes.push(("warm", times));
    for (name, times) in passes {
        let (p50, _, max) = percentiles(times);
        println!(
            "  recent {LIST_LENGTH}, {name}: median {} ms, max {} ms of 10",
            up(p50),
            up(max)
        );
    }
}

/// The cockpit's core starting on this database (schema check, retention purge, embedded
/// relay, payments resumed), three times cold, then three times warm, after a first start
/// that is not counted (it makes the embedded relay's store, which a cockpit has from
/// then on).
fn time_core_start(runtime: &tokio::runtime::Runtime, dir: &Path, cold: bool) {
    let mut run = 0;
    let mut start = |drop_first: bool| -> f64 {
        run += 1;
        let service = format!("be.balie.bench-cases.{}.{run}", std::process::id());
        if drop_first {
            drop_caches().unwrap();
        }
        let t = Instant::now();
        let cockpit = runtime
            .block_on(balie_cockpit::Cockpit::start(
                balie_cockpit::CockpitConfig::new(dir, &service, balie_domain::Locale::Nl),
            ))
            .unwrap();
        let took = ms(t);
        drop(cockpit);
        let _ = balie_secrets::SecretStore::new(&service)
            .delete(balie_secrets::SecretName::RelayClerkToken);
        took
    };
    start(false);
    let cold_starts = cold.then(|| (0..3).map(|_| start(true)).collect::<Vec<_>>());
    let warm_starts: Vec<f64> = (0..3).map(|_| start(false)).collect();
    for (name, times) in [("cold", cold_starts), ("warm", Some(warm_starts))] {
        if let Some(times) = times {
            let (p50, _, max) = percentiles(times);
            println!(
                "  cockpit core start (in this process: its code is in memory, cold means its data is not), {name}: median {} ms, max {} ms of 3",
                up(p50),
                up(max)
            );
        }
    }
}

/// The application itself: launched under WebKitWebDriver on Xvfb (the driver's own start
/// counts too), timed until the dossier window lists the recent cases; three times cold
/// (everything, the binaries and WebKit too, read from disk again), three times warm.
fn time_application_start(
    runtime: &tokio::runtime::Runtime,
    display: &balie_testkit::display::Display,
    dir: &Path,
    cold: bool,
) {
    let start = |drop_first: bool| -> f64 {
        if drop_first {
            drop_caches().unwrap();
        }
        let t = Instant::now();
        runtime.block_on(async {
            let cockpit = Cockpit::start(env!("CARGO_BIN_EXE_balie-cockpit"), display, dir).await;
            cockpit.window("dossier").await;
            cockpit
                .wait_until(
                    "#results",
                    &format!("el.querySelectorAll('.case-item').length >= {LIST_LENGTH}"),
                )
                .await;
            let elapsed = ms(t);
            cockpit.stop().await;
            elapsed
        })
    };
    let cold_starts = cold.then(|| (0..3).map(|_| start(true)).collect::<Vec<_>>());
    let warm_starts: Vec<f64> = (0..3).map(|_| start(false)).collect();
    for (name, times) in [("cold", cold_starts), ("warm", Some(warm_starts))] {
        if let Some(times) = times {
            let (p50, _, max) = percentiles(times);
            println!(
                "  application start to the dossier window listing {LIST_LENGTH} cases, {name}: median {} ms, max {} ms of 3; goal <= 2000 ms: {}",
                up(p50),
                up(max),
                verdict(p50, 2000.0)
            );
        }
    }
}
