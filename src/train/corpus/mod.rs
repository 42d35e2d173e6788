//! The bundled training corpus: one invented village, told as varied prose (pre-training) and as
//! short question/answer pairs (SFT), the same world in English and in Chinese.
//!
//! The world is one table (`BEINGS`); each language is a table of templates (`Lang`) that one
//! generator fills. A fixed plan drawn with a fixed seed makes the text identical everywhere.

mod en;
mod zh;

use crate::objectives::SplitMix64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    En,
    Zh,
}

/// One SFT example: the user's question and the short answer that alone is scored.
#[derive(Clone, Debug, PartialEq)]
pub struct SftPair {
    pub prompt: String,
    pub response: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Corpus {
    pub documents: Vec<String>,
    pub pairs: Vec<SftPair>,
}

/// The text of the corpus in `language`; the same on every call.
pub fn bundled(language: Language) -> Corpus {
    let lang = match language {
        Language::En => &en::EN,
        Language::Zh => &zh::ZH,
    };
    let mut w = Writer { lang, l: language as usize, rng: Rng(SplitMix64::new(0x5EED_C0E5)) };
    let (old, young) = (oldest(), youngest());
    let mut documents: Vec<String> = lang.paragraphs.iter().map(|p| p.to_string()).collect();
    documents.push(w.fill(lang.oldest, &[old, young], ""));
    for (i, b) in BEINGS.iter().enumerate() {
        for _ in 0..PROFILES {
            documents.push(w.profile(b));
        }
        documents.push(w.first_person(b));
        documents.push(w.riddle(b));
        documents.push(w.guide(b));
        let other = &BEINGS[(i + 1 + w.rng.below(BEINGS.len() - 1)) % BEINGS.len()];
        documents.push(w.compare(b, other));
        // Friends talk to each other more than to anyone else.
        documents.push(w.dialogue(b, b.friend()));
        documents.push(w.dialogue(b, other));
    }
    for (plot, variants) in lang.stories.iter().enumerate() {
        for i in 0..PER_PLOT {
            // Heroes in turn, so that within a plot no hero repeats and everyone gets a part.
            let cast = cast((plot * PER_PLOT + i) % BEINGS.len(), &mut w.rng);
            let t = w.rng.pick(variants);
            documents.push(w.fill(t, &cast, ""));
        }
    }
    for f in FACTS {
        documents.push(w.list(f, false));
        if f != Fact::Kind {
            documents.push(w.list(f, true));
        }
    }
    // Interleaved, so that any prefix of the documents already mixes every kind of text.
    w.rng.shuffle(&mut documents);

    let mut pairs = Vec::new();
    for b in &BEINGS {
        for &(q, a) in lang.pairs {
            // Reading comprehension: the prompt states the fact (as varied prose) before asking
            // about it, so the answer is there to be found. Scoring only the answer (SFT) then
            // measures something small; scoring the prompt too measures prose again.
            let statement = w.fact(asked(q, a), b, b.name[w.l]);
            let question = w.fill(q, &[b], "");
            pairs.push(SftPair {
                prompt: [statement.as_str(), question.as_str()].join(lang.space),
                response: w.fill(a, &[b], ""),
            });
        }
    }
    for &(q, a) in lang.village_pairs {
        pairs.push(SftPair { prompt: w.fill(q, &[old, young], ""), response: w.fill(a, &[old, young], "") });
    }
    w.rng.shuffle(&mut pairs);
    Corpus { documents, pairs }
}

const PROFILES: usize = 3;

/// The fact a question template asks about, read off the fields it names (`$ac` is a colour...);
/// the kind and name fields describe the one asked about, so they decide only when nothing else does.
fn asked(q: &str, a: &str) -> Fact {
    let fields: Vec<char> = [q, a]
        .concat()
        .split('$')
        .skip(1)
        .filter_map(|p| p.chars().nth(1))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let by_field = [
        ('b', Fact::Friend),
        ('g', Fact::Age),
        ('l', Fact::Likes),
        ('j', Fact::Job),
        ('f', Fact::Food),
        ('h', Fact::Home),
        ('c', Fact::Colour),
    ];
    by_field.iter().find(|(c, _)| fields.contains(c)).map_or(Fact::Kind, |&(_, f)| f)
}
const PER_PLOT: usize = 6;

/// The kinds of fact every inhabitant has; the pairs ask about exactly these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fact {
    Kind,
    Colour,
    Home,
    Food,
    Job,
    Likes,
    Age,
    Friend,
}

const FACTS: [Fact; 8] =
    [Fact::Kind, Fact::Colour, Fact::Home, Fact::Food, Fact::Job, Fact::Likes, Fact::Age, Fact::Friend];

type Two = [&'static str; 2];

/// One inhabitant; every text is `[English, Chinese]`, indexed by `Language as usize`.
/// Colours, homes, foods, jobs and likes are all distinct, so the reverse questions
/// ("Who eats apples?") have one answer.
struct Being {
    name: Two,
    kind: Two,
    /// What goes before the kind: "a"/"an", or the measure word ("一只", "一头").
    unit: Two,
    colour: Two,
    /// The home as a destination ("the forest") and as a location ("in the forest").
    place: Two,
    at: Two,
    food: Two,
    job: Two,
    likes: Two,
    /// What someone may need from this inhabitant's job, and how it helps; `@` is the one helped.
    need: Two,
    help: Two,
    age: usize,
    friend: usize,
}

impl Being {
    fn friend(&self) -> &'static Being {
        &BEINGS[self.friend]
    }
}

const VILLAGE: Two = ["Millbrook", "青山村"];

/// Ages as said in each language; Chinese says 两岁, not 二岁.
#[rustfmt::skip]
const AGES: [Two; 14] = [
    ["zero", "零"], ["one", "一"], ["two", "两"], ["three", "三"], ["four", "四"], ["five", "五"],
    ["six", "六"], ["seven", "七"], ["eight", "八"], ["nine", "九"], ["ten", "十"], ["eleven", "十一"],
    ["twelve", "十二"], ["thirteen", "十三"],
];

#[rustfmt::skip]
static BEINGS: [Being; 12] = [
    Being { name: ["Pip", "皮皮"], kind: ["fox", "狐狸"], unit: ["a", "一只"], colour: ["red", "红色"],
        place: ["the forest", "树林"], at: ["in the forest", "在树林里"], food: ["apples", "苹果"],
        job: ["baker", "面包师"], likes: ["singing", "唱歌"], age: 4, friend: 1,
        need: ["was very hungry", "肚子饿了"],
        help: ["baked some warm bread", "做了热热的面包"] },
    Being { name: ["Momo", "毛毛"], kind: ["owl", "猫头鹰"], unit: ["an", "一只"], colour: ["brown", "棕色"],
        place: ["the old tower", "老塔"], at: ["in the old tower", "在老塔里"], food: ["plums", "李子"],
        job: ["teacher", "老师"], likes: ["reading", "看书"], age: 9, friend: 0,
        need: ["could not read a letter", "看不懂一封信"],
        help: ["read the letter out loud", "把信读了一遍"] },
    Being { name: ["Bella", "贝贝"], kind: ["cow", "奶牛"], unit: ["a", "一头"], colour: ["white", "白色"],
        place: ["the barn", "谷仓"], at: ["in the barn", "在谷仓里"], food: ["grass", "青草"],
        job: ["farmer", "农夫"], likes: ["dancing", "跳舞"], age: 7, friend: 3,
        need: ["wanted to grow some flowers", "想种一些花"],
        help: ["gave @ a bag of seeds", "给了@一包花种子"] },
    Being { name: ["Toby", "多多"], kind: ["dog", "小狗"], unit: ["a", "一只"], colour: ["black", "黑色"],
        place: ["the bridge", "桥边"], at: ["by the bridge", "在桥边"], food: ["meat", "肉"],
        job: ["guard", "守卫"], likes: ["running", "跑步"], age: 5, friend: 2,
        need: ["heard a strange noise at night", "晚上听到了奇怪的声音"],
        help: ["kept watch all night", "守了一整夜"] },
    Being { name: ["Lily", "丽丽"], kind: ["cat", "小猫"], unit: ["a", "一只"], colour: ["grey", "灰色"],
        place: ["the garden", "花园"], at: ["in the garden", "在花园里"], food: ["fish", "鱼"],
        job: ["painter", "画家"], likes: ["sleeping", "睡觉"], age: 6, friend: 5,
        need: ["wanted a picture for the wall", "想要一幅画"],
        help: ["painted a lovely picture", "画了一幅很美的画"] },
    Being { name: ["Sam", "山山"], kind: ["rabbit", "兔子"], unit: ["a", "一只"], colour: ["silver", "银色"],
        place: ["the hill", "小山"], at: ["on the hill", "在小山上"], food: ["carrots", "萝卜"],
        job: ["doctor", "医生"], likes: ["jumping", "跳高"], age: 3, friend: 4,
        need: ["had a bad cold", "生病了"],
        help: ["gave @ some medicine", "给了@一些药"] },
    Being { name: ["Rosa", "露露"], kind: ["duck", "鸭子"], unit: ["a", "一只"], colour: ["yellow", "黄色"],
        place: ["the pond", "池塘"], at: ["on the pond", "在池塘上"], food: ["corn", "玉米"],
        job: ["boatman", "船夫"], likes: ["swimming", "游泳"], age: 8, friend: 7,
        need: ["had to cross the river", "要过河"],
        help: ["rowed @ across in a little boat", "用小船把@送过了河"] },
    Being { name: ["Ben", "本本"], kind: ["bear", "熊"], unit: ["a", "一头"], colour: ["gold", "金色"],
        place: ["the cave", "山洞"], at: ["in the cave", "在山洞里"], food: ["honey", "蜂蜜"],
        job: ["carpenter", "木匠"], likes: ["fishing", "钓鱼"], age: 13, friend: 6,
        need: ["had a broken chair", "的椅子坏了"],
        help: ["fixed the chair in no time", "很快就把椅子修好了"] },
    Being { name: ["Nina", "妮妮"], kind: ["mouse", "老鼠"], unit: ["a", "一只"], colour: ["pink", "粉色"],
        place: ["the mill", "磨坊"], at: ["in the mill", "在磨坊里"], food: ["cheese", "奶酪"],
        job: ["cook", "厨师"], likes: ["drawing", "画画"], age: 2, friend: 9,
        need: ["wanted a big dinner for friends", "想请朋友们吃晚饭"],
        help: ["cooked a big pot of soup", "做了一大锅汤"] },
    Being { name: ["Max", "麦麦"], kind: ["horse", "马"], unit: ["a", "一匹"], colour: ["blue", "蓝色"],
        place: ["the meadow", "草地"], at: ["in the meadow", "在草地上"], food: ["oats", "燕麦"],
        job: ["postman", "邮差"], likes: ["playing chess", "下棋"], age: 12, friend: 8,
        need: ["wanted to send a letter", "想寄一封信"],
        help: ["carried the letter across the village", "把信送到了"] },
    Being { name: ["Kiki", "奇奇"], kind: ["squirrel", "松鼠"], unit: ["a", "一只"], colour: ["orange", "橙色"],
        place: ["the oak tree", "大树"], at: ["in the oak tree", "在大树上"], food: ["nuts", "坚果"],
        job: ["singer", "歌手"], likes: ["flying kites", "放风筝"], age: 10, friend: 11,
        need: ["felt sad all day", "心里很难过"],
        help: ["sang a happy song", "唱了一首快乐的歌"] },
    Being { name: ["Olly", "乐乐"], kind: ["frog", "青蛙"], unit: ["a", "一只"], colour: ["green", "绿色"],
        place: ["the river", "河边"], at: ["by the river", "在河边"], food: ["bugs", "虫子"],
        job: ["fisher", "渔夫"], likes: ["telling stories", "讲故事"], age: 11, friend: 10,
        need: ["wanted fish for dinner", "晚饭想吃鱼"],
        help: ["caught three big fish", "钓了三条大鱼"] },
];

fn oldest() -> &'static Being {
    BEINGS.iter().max_by_key(|b| b.age).expect("the village is not empty")
}

fn youngest() -> &'static Being {
    BEINGS.iter().min_by_key(|b| b.age).expect("the village is not empty")
}

/// The roles of a template, in the order of its cast: `$a…` is `cast[0]`, `$x…` `cast[1]`, ….
const ROLES: &str = "axyzf";

/// A story's cast: the hero, three others and, last, the hero's friend; all distinct.
fn cast(hero: usize, rng: &mut Rng) -> [&'static Being; 5] {
    let friend = BEINGS[hero].friend;
    let mut rest: Vec<usize> = (0..BEINGS.len()).filter(|&i| i != hero && i != friend).collect();
    rng.shuffle(&mut rest);
    [&BEINGS[hero], &BEINGS[rest[0]], &BEINGS[rest[1]], &BEINGS[rest[2]], &BEINGS[friend]]
}

/// One language's templates. In a template, `$` + role + field is replaced: the role is one of
/// `ROLES`, `w` (the text the caller passes as `who`, no field) or `V` (the village, no field);
/// the field is n name, k kind, m unit ("a", "一只"), u unit and kind, c colour, p place, h home,
/// f food, j job, l likes, g age, b best friend, e need, r help. An upper-case field or `W`
/// capitalises the first letter. `^ ` becomes "a " or "an " by the word after it.
struct Lang {
    /// Joins the sentences of a paragraph.
    space: &'static str,
    /// Ends a first-person statement outside dialogue.
    stop: &'static str,
    /// How "the fox" is said, where a fact names an inhabitant by kind.
    the: &'static str,
    /// Third-person statements of each fact, indexed by `Fact`; `$w` is "Pip" or "the fox".
    facts: [&'static [&'static str]; 8],
    /// First-person statements, without the final stop (dialogue punctuates them itself).
    own: [&'static [&'static str]; 8],
    /// Second-person questions asked in dialogues, indexed by `Fact`.
    questions: [&'static str; 8],
    /// Hand-written paragraphs about the village itself.
    paragraphs: &'static [&'static str],
    /// `$a` the oldest, `$x` the youngest.
    oldest: &'static str,
    open: &'static [&'static str],
    close: &'static [&'static str],
    hello: &'static str,
    bye: &'static [&'static str],
    riddle_open: &'static [&'static str],
    riddle_ask: &'static str,
    riddle_answer: &'static [&'static str],
    guide_open: &'static str,
    guide_close: &'static [&'static str],
    /// `$a` against `$x`: an opening line, the kinds, then five contrasts of which four are told.
    compare: [&'static str; 7],
    /// `$a` the older, `$x` the younger.
    compare_age: &'static str,
    /// `$a` visits `$x`: where they meet, then three lines of greeting.
    meet: &'static [&'static str],
    greet: [&'static str; 3],
    /// A line of speech: `$w`/`$W` is what is said; `$a` asks, `$x` answers.
    ask: &'static str,
    reply_first: &'static [&'static str],
    answer_back: &'static [&'static str],
    reply: &'static [&'static str],
    /// `$x` answers `$a`, its own best friend.
    you_friend: &'static str,
    goodbye: &'static str,
    /// Variants of each plot, cast by `cast`. In the second plot the hero `$a` has the need `$xe`
    /// that the job of `$x` meets.
    stories: [&'static [&'static str]; 7],
    list_heads: [&'static str; 8],
    /// Questions and answers about `$a`, asked of every inhabitant.
    pairs: &'static [(&'static str, &'static str)],
    /// Questions about the village: `$a` the oldest, `$x` the youngest.
    village_pairs: &'static [(&'static str, &'static str)],
}

struct Writer {
    lang: &'static Lang,
    l: usize,
    rng: Rng,
}

impl Writer {
    fn fill(&self, t: &str, cast: &[&Being], who: &str) -> String {
        let l = self.l;
        let mut out = String::with_capacity(t.len() + 64);
        let mut it = t.chars();
        while let Some(ch) = it.next() {
            if ch != '$' {
                out.push(ch);
                continue;
            }
            let role = it.next().expect("a role after $");
            let (b, field) = match role {
                'w' | 'W' => {
                    push(&mut out, who, role == 'W');
                    continue;
                }
                'V' => {
                    out.push_str(VILLAGE[l]);
                    continue;
                }
                _ => (
                    cast[ROLES.find(role).expect("a known role")],
                    it.next().expect("a field after the role"),
                ),
            };
            let unit_kind;
            let help;
            let value = match field.to_ascii_lowercase() {
                'n' => b.name[l],
                'k' => b.kind[l],
                'm' => b.unit[l],
                'u' => {
                    let gap = if l == Language::En as usize { " " } else { "" };
                    unit_kind = [b.unit[l], gap, b.kind[l]].concat();
                    &unit_kind
                }
                'c' => b.colour[l],
                'p' => b.place[l],
                'h' => b.at[l],
                'f' => b.food[l],
                'j' => b.job[l],
                'l' => b.likes[l],
                'g' => AGES[b.age][l],
                'b' => b.friend().name[l],
                'e' => b.need[l],
                'r' => {
                    help = b.help[l].replace('@', cast[0].name[l]);
                    &help
                }
                other => panic!("unknown field {other:?}"),
            };
            push(&mut out, value, field.is_ascii_uppercase());
        }
        if out.contains('^') {
            out = articles(&out);
        }
        out
    }

    /// One of the templates `ts`, filled.
    fn any(&mut self, ts: &[&str], cast: &[&Being], who: &str) -> String {
        let t = self.rng.pick(ts);
        self.fill(t, cast, who)
    }

    fn fact(&mut self, f: Fact, b: &Being, who: &str) -> String {
        self.any(self.lang.facts[f as usize], &[b], who)
    }

    fn own(&mut self, f: Fact, b: &Being) -> String {
        self.any(self.lang.own[f as usize], &[b], "")
    }

    fn the(&self, b: &Being) -> String {
        self.fill(self.lang.the, &[b], "")
    }

    /// Sentences joined into a paragraph.
    fn join(&self, s: &[String]) -> String {
        s.join(self.lang.space)
    }

    fn profile(&mut self, b: &Being) -> String {
        let (lang, n, the) = (self.lang, b.name[self.l], self.the(b));
        let mut s = vec![self.any(lang.open, &[b], ""), self.fact(Fact::Kind, b, n)];
        let mut rest = FACTS[1..].to_vec();
        self.rng.shuffle(&mut rest);
        for f in rest {
            let who = if self.rng.below(3) == 0 { &the } else { n };
            s.push(self.fact(f, b, who));
        }
        s.push(self.any(lang.close, &[b], ""));
        [self.join(&s[..5]), self.join(&s[5..])].join("\n")
    }

    fn first_person(&mut self, b: &Being) -> String {
        let lang = self.lang;
        let mut s = vec![self.fill(lang.hello, &[b], "")];
        let mut rest = FACTS[1..].to_vec();
        self.rng.shuffle(&mut rest);
        for f in [Fact::Kind].into_iter().chain(rest) {
            s.push(self.own(f, b) + lang.stop);
        }
        s.push(self.any(lang.bye, &[b], ""));
        self.join(&s)
    }

    fn riddle(&mut self, b: &Being) -> String {
        let lang = self.lang;
        let mut clues = [Fact::Colour, Fact::Home, Fact::Food, Fact::Job, Fact::Likes, Fact::Age];
        self.rng.shuffle(&mut clues);
        let mut s = vec![self.rng.pick(lang.riddle_open).to_string()];
        for f in &clues[..3] {
            s.push(self.own(*f, b) + lang.stop);
        }
        s.push(lang.riddle_ask.into());
        self.join(&s) + "\n" + &self.any(lang.riddle_answer, &[b], "")
    }

    fn guide(&mut self, b: &Being) -> String {
        let (lang, the) = (self.lang, self.the(b));
        let mut s = vec![self.fill(lang.guide_open, &[b], ""), self.fact(Fact::Home, b, &the)];
        let mut rest = [Fact::Colour, Fact::Food, Fact::Job, Fact::Likes, Fact::Age, Fact::Friend];
        self.rng.shuffle(&mut rest);
        for f in &rest[..3] {
            s.push(self.fact(*f, b, &the));
        }
        s.push(self.any(lang.guide_close, &[b], ""));
        self.join(&s)
    }

    fn compare(&mut self, a: &Being, x: &Being) -> String {
        let lang = self.lang;
        let mut contrasts = lang.compare[2..].to_vec();
        self.rng.shuffle(&mut contrasts);
        let mut s = vec![self.fill(lang.compare[1], &[a, x], "")];
        s.extend(contrasts[..4].iter().map(|t| self.fill(t, &[a, x], "")));
        let by_age = if a.age > x.age { [a, x] } else { [x, a] };
        s.push(self.fill(lang.compare_age, &by_age, ""));
        self.fill(lang.compare[0], &[a, x], "") + "\n" + &self.join(&s)
    }

    fn dialogue(&mut self, a: &Being, x: &Being) -> String {
        let (lang, ax) = (self.lang, [a, x]);
        let mut s = vec![self.any(lang.meet, &ax, "")];
        s.extend(lang.greet.iter().map(|t| self.fill(t, &ax, "")));
        let mut topics = [Fact::Food, Fact::Job, Fact::Likes, Fact::Age, Fact::Friend];
        self.rng.shuffle(&mut topics);
        for (i, &f) in topics[..3].iter().enumerate() {
            s.push(self.fill(lang.ask, &ax, lang.questions[f as usize]));
            let answer = if f == Fact::Friend && std::ptr::eq(x.friend(), a) {
                self.fill(lang.you_friend, &ax, "")
            } else {
                self.own(f, x)
            };
            if i == 0 {
                s.push(self.any(lang.reply_first, &ax, &answer));
                let back = self.own(f, a);
                s.push(self.any(lang.answer_back, &ax, &back));
            } else {
                s.push(self.any(lang.reply, &ax, &answer));
            }
        }
        s.push(self.fill(lang.goodbye, &ax, ""));
        s.join("\n")
    }

    /// Fact `f` for every inhabitant, each named by name or (`by_kind`) by kind.
    fn list(&mut self, f: Fact, by_kind: bool) -> String {
        let mut s = vec![self.lang.list_heads[f as usize].to_string()];
        for b in &BEINGS {
            let who = if by_kind { self.the(b) } else { b.name[self.l].to_string() };
            s.push(self.fact(f, b, &who));
        }
        s.join("\n")
    }
}

fn push(out: &mut String, s: &str, capital: bool) {
    let mut c = s.chars();
    match c.next() {
        Some(first) if capital => {
            out.push(first.to_ascii_uppercase());
            out.push_str(c.as_str());
        }
        _ => out.push_str(s),
    }
}

/// Replaces each `^ ` with the English article the following word takes.
fn articles(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some(i) = rest.find("^ ") {
        out.push_str(&rest[..i]);
        rest = &rest[i + 2..];
        out.push_str(if rest.starts_with(['a', 'e', 'i', 'o', 'u']) { "an " } else { "a " });
    }
    out.push_str(rest);
    out
}

struct Rng(SplitMix64);

impl Rng {
    /// Uniform enough in `0..n` for choosing templates (n is tiny next to 2^64).
    fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn all_text(c: &Corpus) -> impl Iterator<Item = &String> {
        c.documents.iter().chain(c.pairs.iter().flat_map(|p| [&p.prompt, &p.response]))
    }

    fn chars(c: &Corpus) -> BTreeSet<char> {
        all_text(c).flat_map(|s| s.chars()).collect()
    }

    fn size(c: &Corpus) -> usize {
        c.documents.iter().map(|d| d.chars().count()).sum()
    }

    #[test]
    fn the_same_on_every_call() {
        for lang in [Language::En, Language::Zh] {
            assert_eq!(bundled(lang), bundled(lang));
        }
    }

    #[test]
    fn english_fits_the_size_and_alphabet_bounds() {
        let c = bundled(Language::En);
        assert!((35_000..=60_000).contains(&size(&c)), "{} characters", size(&c));
        assert!(c.documents.len() >= 150, "{} documents", c.documents.len());
        assert!(c.pairs.len() >= 300, "{} pairs", c.pairs.len());
        let set = chars(&c);
        assert!(set.len() < 80, "{} distinct characters", set.len());
        for ch in set {
            assert!(ch == '\n' || (' '..='~').contains(&ch), "{ch:?}");
        }
    }

    #[test]
    fn chinese_fits_the_size_and_alphabet_bounds() {
        let c = bundled(Language::Zh);
        assert!((15_000..=30_000).contains(&size(&c)), "{} characters", size(&c));
        assert!(c.documents.len() >= 150, "{} documents", c.documents.len());
        assert!(c.pairs.len() >= 300, "{} pairs", c.pairs.len());
        let set = chars(&c);
        assert!(set.len() <= 420, "{} distinct characters", set.len());
        // Latin letters, digits or spaces would only spend vocabulary on a Chinese model.
        for ch in set {
            assert!(ch == '\n' || !ch.is_ascii(), "{ch:?}");
        }
    }

    #[test]
    fn strings_are_short_non_empty_and_clean() {
        for lang in [Language::En, Language::Zh] {
            let c = bundled(lang);
            for d in &c.documents {
                assert!(d.chars().count() <= 700, "{d}");
            }
            for p in &c.pairs {
                assert!(p.prompt.chars().count() <= 90, "{}", p.prompt);
                assert!(p.response.chars().count() <= 20, "{}", p.response);
                assert!(p.response.ends_with(['.', '!', '?', '。', '！', '？']), "{}", p.response);
                assert!(!p.prompt.contains("User:") && !p.response.contains("Assistant:"));
            }
            for s in all_text(&c) {
                assert!(!s.trim().is_empty());
                assert_eq!(s.trim(), s, "{s:?}");
                assert!(s.chars().all(|ch| ch == '\n' || !ch.is_control()), "{s:?}");
                // Left-over template syntax.
                assert!(!s.contains(['$', '^', '@']), "{s:?}");
            }
        }
    }

    #[test]
    fn every_answer_is_stated_in_the_documents() {
        for lang in [Language::En, Language::Zh] {
            let c = bundled(lang);
            let text = c.documents.join("\n").to_lowercase();
            for p in &c.pairs {
                let key = p.response.trim_end_matches(['.', '!', '?', '。', '！', '？']).to_lowercase();
                assert!(text.contains(&key), "{:?} -> {:?}", p.prompt, p.response);
            }
        }
    }

    #[test]
    fn every_fact_is_told_next_to_its_owner() {
        for lang in [Language::En, Language::Zh] {
            let (c, l) = (bundled(lang), lang as usize);
            for b in &BEINGS {
                for value in [b.kind, b.colour, b.at, b.food, b.job, b.likes, b.friend().name, AGES[b.age]] {
                    let told = c.documents.iter().any(|d| d.contains(b.name[l]) && d.contains(value[l]));
                    assert!(told, "{} / {}", b.name[l], value[l]);
                }
            }
        }
    }

    #[test]
    fn the_world_is_consistent() {
        for (i, b) in BEINGS.iter().enumerate() {
            assert_eq!(b.friend().friend, i, "friendship goes both ways");
            assert_ne!(b.friend, i);
        }
        let fields: [fn(&Being) -> Two; 7] =
            [|b| b.name, |b| b.kind, |b| b.colour, |b| b.at, |b| b.food, |b| b.job, |b| b.likes];
        for l in 0..2 {
            for field in fields {
                let values: BTreeSet<_> = BEINGS.iter().map(|b| field(b)[l]).collect();
                assert_eq!(values.len(), BEINGS.len(), "reverse questions need distinct values");
            }
        }
        assert_eq!(BEINGS.iter().filter(|b| b.age == oldest().age).count(), 1);
        assert_eq!(BEINGS.iter().filter(|b| b.age == youngest().age).count(), 1);
    }

    /// Every template of both languages, so that a typo fails here and not in a learner's browser.
    #[test]
    fn every_template_fills() {
        for language in [Language::En, Language::Zh] {
            let w = Writer {
                lang: [&en::EN, &zh::ZH][language as usize],
                l: language as usize,
                rng: Rng(SplitMix64::new(0)),
            };
            let lang = w.lang;
            let mut all: Vec<&str> =
                [lang.the, lang.oldest, lang.hello, lang.riddle_ask, lang.guide_open].to_vec();
            all.extend([lang.compare_age, lang.ask, lang.you_friend, lang.goodbye]);
            for list in lang.facts.iter().chain(&lang.own).chain(&lang.stories) {
                all.extend(list.iter());
            }
            let lists =
                [lang.open, lang.close, lang.bye, lang.riddle_open, lang.riddle_answer, lang.guide_close];
            let more = [lang.reply_first, lang.answer_back, lang.reply, lang.meet, lang.paragraphs];
            all.extend(lists.iter().chain(&more).flat_map(|list| list.iter()));
            all.extend(lang.compare.iter().chain(&lang.greet).chain(&lang.questions).chain(&lang.list_heads));
            all.extend(lang.pairs.iter().chain(lang.village_pairs).flat_map(|&(q, a)| [q, a]));
            let cast = cast(0, &mut Rng(SplitMix64::new(1)));
            for t in all {
                let s = w.fill(t, &cast, "Pip");
                assert!(!s.is_empty() && !s.contains(['$', '^', '@']), "{t:?} -> {s:?}");
            }
        }
    }

    #[test]
    fn articles_follow_the_next_word() {
        assert_eq!(articles("^ orange squirrel and ^ red fox"), "an orange squirrel and a red fox");
    }

    #[test]
    fn sizes() {
        for lang in [Language::En, Language::Zh] {
            let c = bundled(lang);
            let longest = c.documents.iter().map(|d| d.chars().count()).max().unwrap_or(0);
            println!(
                "{lang:?}: {} documents, {} characters (longest {longest}), {} pairs, {} distinct characters",
                c.documents.len(),
                size(&c),
                c.pairs.len(),
                chars(&c).len()
            );
        }
    }
}
