//! Search of instructions within the open files: an in-memory inverted index of the
//! `edit_instruction` texts (read alone, never the images), queried as people type.
//!
//! Query language: words must all match, in any order, case-insensitively, with a light
//! stemming (`adds`, `added`, `adding` find `add`); `"quoted phrases"` match consecutive
//! words; `-word` excludes; the last word, while it is being typed (no space after it),
//! also matches as a prefix. Results are ranked by BM25.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// BM25 parameters (the usual ones).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Instructions a session indexes at most (about 100 bytes each in memory, plus their
/// postings): past it, further files are not searched, and the answer says how far it got.
pub const MAX_INDEXED_DOCS: usize = 2_000_000;
/// A prefix expands to at most this many index terms (the most frequent kept).
const MAX_PREFIX_TERMS: usize = 64;

/// The words of `text`, lower-cased and stemmed, in order.
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| stem(&w.to_lowercase())).collect()
}

/// A light English stemmer: plural and verb endings off (`boxes`→`box`, `adds`→`add`,
/// `added`→`add`, `adding`→`add`, `changed`→`chang`, `changes`→`chang`), short words kept.
pub fn stem(word: &str) -> String {
    let w = word;
    let n = w.chars().count();
    let cut = |suffix: &str, min: usize| w.strip_suffix(suffix).filter(|s| s.chars().count() >= min);
    let out = if n <= 3 {
        None
    } else if let Some(s) = cut("ies", 2) {
        return format!("{s}y");
    } else if let Some(s) = cut("sses", 2) {
        return format!("{s}ss");
    } else if let Some(s) = cut("ing", 3).or_else(|| cut("ed", 3)) {
        Some(undouble(s))
    } else if let Some(s) = cut("es", 3) {
        // "boxes" → "box"; "changes" → "chang", as "changed" and "changing" go.
        Some(s.to_string())
    } else if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        None
    } else {
        cut("s", 3).map(str::to_string)
    };
    let out = out.unwrap_or_else(|| w.to_string());
    // "change" and "chang…" meet: a final silent e goes.
    match out.strip_suffix('e') {
        Some(s) if s.chars().count() >= 3 => s.to_string(),
        _ => out,
    }
}

/// `stopp` → `stop` (a doubled final consonant left by `-ed`/`-ing`); `add` stays.
fn undouble(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] && !b"aeioulsz".contains(&b[b.len() - 1]) {
        s[..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Words every hit has (stems).
    pub words: Vec<String>,
    /// Phrases every hit has, each a run of stems.
    pub phrases: Vec<Vec<String>>,
    /// Words no hit has.
    pub excluded: Vec<String>,
    /// The word being typed: it also matches as a prefix.
    pub prefix: Option<String>,
}

impl Query {
    pub fn parse(text: &str) -> Self {
        let mut q = Query::default();
        let mut rest = text;
        let typing = !text.ends_with(char::is_whitespace) && !text.ends_with('"');
        let mut plain: Vec<String> = Vec::new();
        while let Some(c) = rest.chars().next() {
            if c.is_whitespace() {
                rest = &rest[c.len_utf8()..];
                continue;
            }
            if c == '"' {
                let body = &rest[1..];
                let (phrase, after) = body.split_once('"').unwrap_or((body, ""));
                let stems = terms(phrase);
                match stems.len() {
                    0 => {}
                    1 => q.words.extend(stems),
                    _ => q.phrases.push(stems),
                }
                rest = after;
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let token = &rest[..end];
            rest = &rest[end..];
            if let Some(word) = token.strip_prefix('-').filter(|w| !w.is_empty()) {
                q.excluded.extend(terms(word));
            } else {
                plain.push(token.to_string());
            }
        }
        if typing {
            if let Some(last) = plain.pop() {
                let raw: Vec<String> = last.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
                if let Some((tail, head)) = raw.split_last() {
                    q.words.extend(head.iter().map(|w| stem(w)));
                    q.prefix = Some(tail.clone());
                }
            }
        }
        for p in plain {
            q.words.extend(terms(&p));
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty() && self.prefix.is_none()
    }
}

/// One result: a document (file, row) and its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub file: String,
    pub row: u64,
    pub score: f64,
}

/// The answer to a query: hits best first (at most the limit asked), how many matched,
/// and the stems that matched (for highlighting).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub total: usize,
    pub stems: Vec<String>,
}

/// The index of the instructions of some files.
#[derive(Debug, Default)]
pub struct Index {
    files: Vec<String>,
    /// (file index, row) of each document.
    docs: Vec<(u32, u64)>,
    /// Stems of each document, in order (for phrases).
    doc_terms: Vec<Vec<u32>>,
    /// Term → id.
    ids: HashMap<String, u32>,
    /// Terms by text, for prefixes.
    sorted: BTreeMap<String, u32>,
    /// Term id → (document, count), by document.
    postings: Vec<Vec<(u32, u32)>>,
    total_len: u64,
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `file`'s instructions are in the index.
    pub fn has(&self, file: &str) -> bool {
        self.files.iter().any(|f| f == file)
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Add the instructions of `file`, one per row in order.
    pub fn add_file(&mut self, file: &str, instructions: &[String]) {
        let f = self.files.len() as u32;
        self.files.push(file.to_string());
        for (row, text) in instructions.iter().enumerate() {
            let doc = self.docs.len() as u32;
            self.docs.push((f, row as u64));
            let mut ids = Vec::new();
            let mut counts: HashMap<u32, u32> = HashMap::new();
            for t in terms(text) {
                let next = self.ids.len() as u32;
                let id = *self.ids.entry(t.clone()).or_insert_with(|| {
                    self.sorted.insert(t, next);
                    self.postings.push(Vec::new());
                    next
                });
                ids.push(id);
                *counts.entry(id).or_insert(0) += 1;
            }
            self.total_len += ids.len() as u64;
            let mut counts: Vec<(u32, u32)> = counts.into_iter().collect();
            counts.sort_unstable();
            for (id, n) in counts {
                self.postings[id as usize].push((doc, n));
            }
            self.doc_terms.push(ids);
        }
    }

    fn id(&self, stem: &str) -> Option<u32> {
        self.ids.get(stem).copied()
    }

    /// Documents (with term counts) of a term id.
    fn docs_of(&self, id: u32) -> &[(u32, u32)] {
        &self.postings[id as usize]
    }

    /// BM25 weight of term `id` met `tf` times in `doc`, given the term's idf.
    fn weight(&self, idf: f64, doc: u32, tf: u32) -> f64 {
        let avg = self.total_len as f64 / (self.docs.len() as f64).max(1.0);
        bm25(idf, tf, self.doc_terms[doc as usize].len() as f64, avg)
    }

    fn idf_of(&self, id: u32) -> f64 {
        idf(self.docs.len() as f64, self.docs_of(id).len() as f64)
    }

    /// The documents holding any term of `group`, each with its best-scoring term's
    /// weight, by document: one walk over the group's postings (into a dense array when
    /// they cover a good part of the index, else sorted).
    fn matches(&self, group: &[u32]) -> Vec<(u32, f64)> {
        let mut all: Vec<(u32, f64)> = Vec::new();
        let size: usize = group.iter().map(|&id| self.docs_of(id).len()).sum();
        let dense = group.len() > 1 && size * 8 >= self.docs.len();
        let mut best = if dense { vec![f64::NEG_INFINITY; self.docs.len()] } else { Vec::new() };
        for &id in group {
            let idf = self.idf_of(id);
            for &(doc, tf) in self.docs_of(id) {
                let s = self.weight(idf, doc, tf);
                if dense {
                    let slot = &mut best[doc as usize];
                    *slot = slot.max(s);
                } else {
                    all.push((doc, s));
                }
            }
        }
        if dense {
            return best.into_iter().enumerate().filter(|(_, s)| s.is_finite()).map(|(d, s)| (d as u32, s)).collect();
        }
        if group.len() > 1 {
            all.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
            all.dedup_by_key(|x| x.0);
        }
        all
    }

    /// Answer `query`, at most `limit` hits, best first (ties in file and row order).
    ///
    /// Candidates are the documents of the rarest required group; each further group
    /// either looks up each candidate in its postings (binary search) or, when that would
    /// cost more than walking the group's postings (a prefix of many terms), is walked and
    /// merged. Exclusions are merged against the excluded terms' postings; phrases are
    /// checked on the few documents left, against their words in order.
    pub fn search(&self, query: &Query, limit: usize) -> Found {
        if query.is_empty() || self.docs.is_empty() {
            return Found::default();
        }
        // Every required group: its term ids (a word is one; a prefix is many, any of them).
        let mut groups: Vec<Vec<u32>> = Vec::new();
        let mut stems: Vec<String> = Vec::new();
        for w in query.words.iter().chain(query.phrases.iter().flatten()) {
            match self.id(w) {
                Some(id) => groups.push(vec![id]),
                None => return Found::default(),
            }
            stems.push(w.clone());
        }
        if let Some(p) = &query.prefix {
            let mut ids: Vec<(usize, u32, &String)> = self
                .sorted
                .range(p.clone()..)
                .take_while(|(t, _)| t.starts_with(p.as_str()))
                .map(|(t, &id)| (self.docs_of(id).len(), id, t))
                .collect();
            // The stem of the word as typed so far counts too ("boxes" typed whole → "box").
            let whole = stem(p);
            if let Some(id) = self.id(&whole) {
                ids.push((self.docs_of(id).len(), id, &whole));
            }
            if ids.is_empty() {
                return Found::default();
            }
            ids.sort_by(|a, b| b.0.cmp(&a.0));
            ids.dedup_by_key(|x| x.1);
            ids.truncate(MAX_PREFIX_TERMS);
            stems.extend(ids.iter().map(|x| x.2.clone()));
            groups.push(ids.into_iter().map(|x| x.1).collect());
        }
        let size = |g: &Vec<u32>| g.iter().map(|&id| self.docs_of(id).len()).sum::<usize>();
        groups.sort_by_key(size);
        let mut scored = self.matches(&groups[0]);
        for g in &groups[1..] {
            if scored.is_empty() {
                break;
            }
            let longest = g.iter().map(|&id| self.docs_of(id).len()).max().unwrap_or(1).max(2);
            // A lookup is a few comparisons; walking scores every posting: about 4 times
            // the work of one comparison.
            let lookups = scored.len() * g.len() * (usize::BITS - longest.leading_zeros()) as usize;
            if lookups <= 4 * size(g) {
                let idfs: Vec<f64> = g.iter().map(|&id| self.idf_of(id)).collect();
                scored.retain_mut(|(doc, score)| {
                    let best = g
                        .iter()
                        .zip(&idfs)
                        .filter_map(|(&id, &idf)| {
                            let p = self.docs_of(id);
                            p.binary_search_by_key(doc, |&(d, _)| d).ok().map(|i| self.weight(idf, *doc, p[i].1))
                        })
                        .fold(f64::NEG_INFINITY, f64::max);
                    *score += best;
                    best.is_finite()
                });
            } else {
                let other = self.matches(g);
                let mut j = 0;
                scored.retain_mut(|(doc, score)| {
                    while j < other.len() && other[j].0 < *doc {
                        j += 1;
                    }
                    let hit = j < other.len() && other[j].0 == *doc;
                    if hit {
                        *score += other[j].1;
                    }
                    hit
                });
            }
        }
        // Exclusions: the excluded terms' documents, merged with the candidates.
        let mut out: Vec<u32> = query.excluded.iter().filter_map(|w| self.id(w)).flat_map(|id| self.docs_of(id).iter().map(|&(d, _)| d)).collect();
        if !out.is_empty() {
            out.sort_unstable();
            let mut j = 0;
            scored.retain(|(doc, _)| {
                while j < out.len() && out[j] < *doc {
                    j += 1;
                }
                j >= out.len() || out[j] != *doc
            });
        }
        if !query.phrases.is_empty() {
            let phrases: Vec<Vec<u32>> = query.phrases.iter().map(|p| p.iter().filter_map(|w| self.id(w)).collect()).collect();
            scored.retain_mut(|(doc, score)| {
                let words = &self.doc_terms[*doc as usize];
                let met = phrases.iter().all(|ids| words.windows(ids.len()).any(|w| w == ids.as_slice()));
                // A phrase met is worth a little more than its words.
                *score += phrases.len() as f64;
                met
            });
        }
        let total = scored.len();
        let order = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, order);
        }
        scored.truncate(limit);
        scored.sort_unstable_by(order);
        let hits = scored
            .into_iter()
            .map(|(doc, score)| {
                let (f, row) = self.docs[doc as usize];
                Hit { file: self.files[f as usize].clone(), row, score }
            })
            .collect();
        stems.sort();
        stems.dedup();
        Found { hits, total, stems }
    }
}

/// BM25's inverse document frequency of a term in `df` of `docs` documents.
pub fn idf(docs: f64, df: f64) -> f64 {
    ((docs - df + 0.5) / (df + 0.5) + 1.0).ln()
}

/// BM25's weight of a term of inverse document frequency `idf` met `tf` times in a
/// document of `len` words, where documents have `avg` words on average.
pub fn bm25(idf: f64, tf: u32, len: f64, avg: f64) -> f64 {
    let tf = f64::from(tf);
    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg.max(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let mut i = Index::new();
        i.add_file(
            "a.parquet",
            &[
                "Add a red hat to the man.".into(),
                "Remove the text from the sign.".into(),
                "Adds a small hat on the dog's head.".into(),
                "Change the sky to sunset colors.".into(),
            ],
        );
        i.add_file("b.parquet", &["Add reflections of the trees in the lake.".into(), "Removing all text, the sign stays.".into(), "Add a hat".into()]);
        i
    }

    fn rows(found: &Found) -> Vec<(String, u64)> {
        found.hits.iter().map(|h| (h.file.clone(), h.row)).collect()
    }

    #[test]
    fn stems_meet_across_forms() {
        for (a, b) in [("adds", "add"), ("added", "add"), ("adding", "add"), ("boxes", "box"), ("changes", "change"), ("changed", "changing"), ("stopped", "stop"), ("skies", "sky"), ("glass", "glasses"), ("reflections", "reflection")] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(stem("is"), "is");
        assert_eq!(stem("hat"), "hat");
    }

    #[test]
    fn words_all_match_in_any_order_with_stemming_and_ranking() {
        let i = index();
        let found = i.search(&Query::parse("hat add "), 10);
        assert_eq!(found.total, 3);
        let mut got = rows(&found);
        got.sort();
        assert_eq!(got, vec![("a.parquet".into(), 0), ("a.parquet".into(), 2), ("b.parquet".into(), 2)]);
        // The shortest text with both words ranks first.
        assert_eq!(rows(&found)[0], ("b.parquet".into(), 2));
        assert!(found.stems.contains(&"hat".to_string()) && found.stems.contains(&"add".to_string()));
    }

    #[test]
    fn phrases_exclusions_and_prefixes() {
        let i = index();
        assert_eq!(rows(&i.search(&Query::parse("\"remove the text\""), 10)), vec![("a.parquet".into(), 1)]);
        assert_eq!(i.search(&Query::parse("\"text remove\""), 10).total, 0, "a phrase keeps its order");
        assert_eq!(rows(&i.search(&Query::parse("hat -dog "), 10)).len(), 2);
        assert!(rows(&i.search(&Query::parse("hat -dog "), 10)).iter().all(|r| r != &("a.parquet".to_string(), 2)));
        // Typing "refl" finds "reflections"; with a space after, it is a whole word.
        assert_eq!(rows(&i.search(&Query::parse("refl"), 10)), vec![("b.parquet".into(), 0)]);
        assert_eq!(i.search(&Query::parse("refl "), 10).total, 0);
        assert_eq!(i.search(&Query::parse("removing"), 10).total, 2, "the typed word's stem counts too");
        assert_eq!(i.search(&Query::parse("zebra "), 10).total, 0);
        assert_eq!(i.search(&Query::parse("  "), 10).total, 0);
        assert_eq!(Query::parse("Add \"red hat\" -dog cap"), Query {
            words: vec!["add".into()],
            phrases: vec![vec!["red".into(), "hat".into()]],
            excluded: vec!["dog".into()],
            prefix: Some("cap".into()),
        });
    }

    #[test]
    fn limits_cut_the_list_but_not_the_count() {
        let i = index();
        let found = i.search(&Query::parse("the "), 2);
        assert_eq!(found.hits.len(), 2);
        assert_eq!(found.total, 6);
    }
}
